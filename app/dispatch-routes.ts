import type { DispatchRoute } from '../core/events/dispatch.ts';
import { sendDispatchRoute } from '../core/send/worker.ts';
import { webhookDispatchRoute } from '../core/webhooks/jobs.ts';
import { rulesDispatchRoute } from '../rules/runner.ts';
import { aiDispatchRoute } from '../ai/worker.ts';

/**
 * Where committed events go besides realtime: one route per consumer, each exported beside the
 * worker that handles its queue. A new consumer adds its route here and its worker to
 * background.ts; the spine (core/events) knows none of them.
 */
export const dispatchRoutes: DispatchRoute[] = [sendDispatchRoute, webhookDispatchRoute, rulesDispatchRoute, aiDispatchRoute];
