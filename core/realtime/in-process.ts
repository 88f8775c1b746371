import type { RealtimeAdapter, RealtimeListener } from './realtime.ts';

export function createInProcessRealtime(): RealtimeAdapter {
  const byOrg = new Map<string, Set<RealtimeListener>>();
  return {
    kind: 'in-process',
    async publish(event) {
      for (const l of byOrg.get(event.orgId) ?? []) l(event);
    },
    subscribe(orgId, listener) {
      const set = byOrg.get(orgId) ?? new Set();
      set.add(listener);
      byOrg.set(orgId, set);
      return () => {
        set.delete(listener);
        if (!set.size) byOrg.delete(orgId);
      };
    },
    async ready() {},
    async health() {
      return { ok: true };
    },
    async close() {
      byOrg.clear();
    },
  };
}
