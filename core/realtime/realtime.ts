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
  /**
   * Resolves once events of orgId published from now on reach this process's subscribers (with
   * Redis: the SUBSCRIBE is acknowledged). A WebSocket resume awaits it before replaying from the
   * database, so no event falls between the replay and the live stream.
   */
  ready(orgId: string): Promise<void>;
  health(): Promise<{ ok: boolean; detail?: string }>;
  close(): Promise<void>;
}
