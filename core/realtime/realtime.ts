import type { EngineEvent } from '../events/events.ts';

/**
 * Live fan-out of committed events to WebSocket clients. The relay publishes each event once;
 * every API process delivers it to its own subscribers (Redis pub/sub across processes,
 * in-process in embedded mode).
 */
export type RealtimeListener = (event: EngineEvent) => void;

export interface RealtimeAdapter {
  readonly kind: 'in-process' | 'redis';
  publish(event: EngineEvent): Promise<void>;
  /** Local subscription to one org's events; returns the unsubscribe function. */
  subscribe(orgId: string, listener: RealtimeListener): () => void;
  health(): Promise<{ ok: boolean; detail?: string }>;
  close(): Promise<void>;
}
