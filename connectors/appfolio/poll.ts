import { classifyHttpError, ConnectorError, mapInbound, type ExternalEvent, type IntegrationContext, type Manifest, type PollResult } from '../kit/index.ts';
import { rowDigest, rowHandles } from './handles.ts';
import type { AppFolioConfig, AppFolioSecrets } from './schemas.ts';

/**
 * Polls AppFolio's Reports API v2: POST https://{database}.appfolio.com/api/v2/reports/{report}.json
 * (HTTP Basic with the Reports API client id and secret, filters in the JSON body,
 * `paginate_results: true`) answers {results: [...], next_page_url}; each next page is a POST of
 * `{}` to next_page_url. One run reads ONE page, so the engine commits every page's events before
 * the cursor moves past it; `hasMore` asks for the next page at once.
 *
 * The reports carry no change feed, so changes are found against the cursor: it keeps a digest per
 * directory row and the last status of each watched work order. A cycle reads the directories
 * (when directoryIntervalHours have passed) and then the work orders.
 */
type Ctx = IntegrationContext<AppFolioConfig, AppFolioSecrets>;
type Row = Record<string, unknown>;

export const DIRECTORIES = ['tenant_directory', 'owner_directory', 'vendor_directory'] as const;
export const COMPLETED = new Set(['Completed', 'Completed No Need To Bill']);
const ID_FIELD: Record<string, string> = {
  tenant_directory: 'selected_tenant_id',
  owner_directory: 'owner_id',
  vendor_directory: 'vendor_id',
  work_order: 'work_order_id',
};

export interface Cursor {
  v: 1;
  /** The reports of the cycle under way and the one being read. */
  stages: string[];
  stage: number;
  /** next_page_url of the report being read. */
  next: string | null;
  /** ISO time the directories were last read in full. */
  directoriesAt: string | null;
  /** The first cycle records the work orders it finds without announcing them. */
  baseline: boolean;
  /** "report:id" → digest of the row last emitted. */
  people: Record<string, string>;
  /** work order id → last status seen. */
  orders: Record<string, string>;
}

function parseCursor(raw: string | null): Cursor | null {
  if (!raw) return null;
  const c = JSON.parse(raw) as Cursor;
  return c && c.v === 1 ? c : null;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function newCycle(prev: Cursor | null, cfg: AppFolioConfig, now: number): Cursor {
  const dueAt = prev?.directoriesAt ? Date.parse(prev.directoriesAt) + (cfg.directoryIntervalHours ?? 24) * 3_600_000 : 0;
  const stages = now >= dueAt ? [...DIRECTORIES, 'work_order'] : ['work_order'];
  return {
    v: 1, stages, stage: 0, next: null,
    directoriesAt: prev?.directoriesAt ?? null,
    baseline: prev === null,
    people: prev?.people ?? {},
    orders: prev?.orders ?? {},
  };
}

function filters(report: string, cfg: AppFolioConfig, now: number): Record<string, unknown> {
  const base = { paginate_results: true };
  if (report === 'work_order') {
    const from = now - (cfg.workOrderLookbackDays ?? 90) * 86_400_000;
    return { ...base, property_visibility: 'all', from_date: day(from), to_date: day(now) };
  }
  if (report === 'tenant_directory') return { ...base, tenant_visibility: 'active', tenant_types: ['all'], property_visibility: 'active' };
  return { ...base, property_visibility: 'active' };
}

async function fetchPage(url: string, body: unknown, ctx: Ctx): Promise<{ results: Row[]; next: string | null }> {
  const auth = Buffer.from(`${ctx.secrets.clientId}:${ctx.secrets.clientSecret}`).toString('base64');
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
  } catch (err) {
    throw new ConnectorError('vendor_unavailable', 'AppFolio could not be reached', { cause: err });
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw classifyHttpError(res.status, Object.fromEntries(res.headers), { now: ctx.now?.() ?? Date.now() });
  }
  const json = (await res.json()) as { results?: Row[]; next_page_url?: string | null } | Row[];
  if (Array.isArray(json)) return { results: json, next: null };
  const next = json.next_page_url ? new URL(json.next_page_url, url).toString() : null;
  return { results: json.results ?? [], next };
}

/** What changed in a row, or null: the cursor already reflects it. Updates the cursor's memory. */
function diff(report: string, row: Row, cursor: Cursor): Record<string, unknown> | null {
  const id = String(row[ID_FIELD[report]!] ?? '');
  if (!id) return null;
  if (report !== 'work_order') {
    const digest = rowDigest(row);
    if (cursor.people[`${report}:${id}`] === digest) return null;
    cursor.people[`${report}:${id}`] = digest;
    return { digest };
  }
  const status = String(row.status ?? '');
  const previousStatus = cursor.orders[id];
  cursor.orders[id] = status;
  if (previousStatus === status || cursor.baseline) return null;
  if (previousStatus === undefined) return { type: 'created', at: row.created_at };
  const type = COMPLETED.has(status) ? 'completed' : 'updated';
  return { type, previousStatus, ...(type === 'completed' && row.completed_on ? { at: row.completed_on } : {}) };
}

export function createPoll(manifest: Manifest) {
  return async function run(raw: string | null, ctx: Ctx): Promise<PollResult> {
    const now = ctx.now?.() ?? Date.now();
    const prev = parseCursor(raw);
    const cursor: Cursor = prev && prev.stage < prev.stages.length ? structuredClone(prev) : newCycle(prev, ctx.config, now);
    const report = cursor.stages[cursor.stage]!;
    const url = cursor.next ?? `https://${ctx.config.database}.appfolio.com/api/v2/reports/${report}.json`;
    const page = await fetchPage(url, cursor.next ? {} : filters(report, ctx.config, now), ctx);

    const events: ExternalEvent[] = [];
    for (const row of page.results) {
      const change = diff(report, row, cursor);
      if (!change) continue;
      const body = { report, row, change, handles: rowHandles(row, ctx.config.defaultCountry ?? 'US') };
      const mapped = await mapInbound(manifest, { method: 'POLL', headers: {}, query: {}, contentType: 'application/json', body }, { config: ctx.config as unknown as Record<string, unknown> });
      for (const e of mapped) if (e.kind === 'external_event') events.push(e);
    }

    cursor.next = page.next;
    if (!page.next) {
      if ((DIRECTORIES as readonly string[]).includes(report) && cursor.stages[cursor.stage + 1] === 'work_order') cursor.directoriesAt = new Date(now).toISOString();
      cursor.stage += 1;
    }
    const cycleDone = cursor.stage >= cursor.stages.length;
    if (cycleDone) cursor.baseline = false;
    return { events, cursor: JSON.stringify(cursor), hasMore: !cycleDone };
  };
}
