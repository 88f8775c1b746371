export { Switchboard, retryDelay, type ClientOptions, type RequestOptions, type PagePromise } from './client.ts';
export { SwitchboardError } from './errors.ts';
export { verifyWebhook, userHash, signWebhook } from './webhooks.ts';
export { connectRealtime, type RealtimeEvent, type RealtimeOptions, type RealtimeConnection } from './realtime.ts';
export { operations, type Operations } from './generated.ts';
