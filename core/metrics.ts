import client from 'prom-client';

/**
 * Prometheus metrics (served at /metrics by the API, and by a worker with METRICS_PORT). Labels
 * are bounded sets — route templates, channels, connector ids, outcomes, queue and consumer
 * names — and never an org id, a handle or anything a tenant chose: a label per org would make
 * every org a new time series and tell the scraper who our customers are.
 *
 * One registry per process: several engines in one process (tests) add to the same series.
 */
export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry, prefix: 'switchboard_' });

export const httpDuration = new client.Histogram({
  name: 'switchboard_http_request_duration_seconds',
  help: 'API request latency by route template',
  labelNames: ['method', 'route', 'status_class'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const messagesIngested = new client.Counter({
  name: 'switchboard_messages_ingested_total',
  help: 'Inbound messages recorded (duplicates of a provider message id are not counted)',
  labelNames: ['channel'] as const,
  registers: [registry],
});

export const sendOutcomes = new client.Counter({
  name: 'switchboard_send_outcomes_total',
  help: 'Send job outcomes by connector: sent, sandbox, retry, failed, refused, deferred',
  labelNames: ['connector', 'outcome'] as const,
  registers: [registry],
});

export const webhookAttempts = new client.Counter({
  name: 'switchboard_webhook_attempts_total',
  help: 'Outbound webhook attempts by outcome (2xx, 4xx, 5xx, or the error class: timeout, network, blocked…)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const relayLag = new client.Histogram({
  name: 'switchboard_relay_lag_seconds',
  help: 'Time from an event being written to the relay handing it to a consumer (last event of each batch)',
  labelNames: ['consumer'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 120],
  registers: [registry],
});

export const queueDepth = new client.Gauge({
  name: 'switchboard_queue_depth',
  help: 'Jobs waiting or delayed per queue, read at scrape time',
  labelNames: ['queue'] as const,
  registers: [registry],
});

/** Reads queue depths at scrape time from whichever adapter the process runs. */
export function watchQueueDepth(depths: () => Promise<Record<string, number>>): void {
  (queueDepth as unknown as { collect?: () => Promise<void> }).collect = async () => {
    queueDepth.reset();
    for (const [queue, n] of Object.entries(await depths().catch(() => ({})))) queueDepth.set({ queue }, n);
  };
}

export const statusClass = (status: number) => `${Math.floor(status / 100)}xx`;
