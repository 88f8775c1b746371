import { mapInbound, phoneE164, type ContactUpdateEvent, type ExternalEvent, type Manifest, type ParsedRequest, type PollResult, type PollSpec } from '../kit/index.ts';
import manifestJson from './manifest.json' with { type: 'json' };
import { qbRead, realmOf, type QuickBooksApiCtx } from './api.ts';
import { ENTITIES, type QuickBooksConfig, type QuickBooksEntity, type QuickBooksSecrets } from './schemas.ts';

/**
 * Change Data Capture (GET /v3/company/{realmId}/cdc?entities=…&changedSince=…, node-quickbooks'
 * changeDataCapture): the Customers, Invoices and Payments changed since the cursor, read every
 * 5 minutes. It recovers what the webhooks missed (Intuit retries a failed notification for a
 * while only) and it is the only source of customers' phones and emails (a notification carries
 * ids only).
 *
 * - Each changed entity becomes the change a webhook would have announced,
 *   {name, id, operation, lastUpdated}, and is mapped by the manifest's own webhook rule: the event
 *   (type, externalId, occurredAt, data) is the webhook's, so a change seen both ways is one event.
 *   CDC returns an entity's latest state, not its history: the operation is inferred (status
 *   "Deleted" → Delete; CreateTime = LastUpdatedTime → Create; else Update). A void therefore
 *   arrives as an update (the webhook's Void/Merge/Emailed have no CDC trace), and a create
 *   followed by an edit between two polls arrives as one update.
 * - Customers → `people` contact_update events (externalId = the customer's Id). Inactive ones too,
 *   with attribute `active: false`: QuickBooks "deletes" a customer by making it inactive, and a
 *   linked contact should learn that.
 * - Intuit answers at most 1000 objects per request, grouped by entity, oldest change first within
 *   a group and deleted ones last; changedSince may be at most 30 days back. Hence one position
 *   per entity (see nextPositions).
 */
const manifest = manifestJson as unknown as Manifest;

export const INTERVAL_SECONDS = 300;
/** Intuit's cap on the objects of one CDC answer. */
export const MAX_OBJECTS = 1000;
/** How far back changedSince may go (30 days), less an hour so a request built now is still accepted when it arrives. */
export const LOOKBACK_MS = 30 * 24 * 3600_000 - 3600_000;
/**
 * The next window re-reads the last two minutes before Intuit's answer time: a change committed
 * while the previous answer was being built is not skipped. Re-read changes are deduplicated by
 * their external ids, and re-read customers update their contacts to the same values.
 */
export const OVERLAP_MS = 120_000;
const MAPPING_CHUNK = 100;

interface MetaData {
  CreateTime?: string;
  LastUpdatedTime?: string;
}
interface CdcObject {
  Id?: string;
  status?: string;
  MetaData?: MetaData;
}
interface CdcCustomer extends CdcObject {
  DisplayName?: string;
  GivenName?: string;
  FamilyName?: string;
  CompanyName?: string;
  PrimaryPhone?: { FreeFormNumber?: string };
  Mobile?: { FreeFormNumber?: string };
  PrimaryEmailAddr?: { Address?: string };
  Balance?: number;
  CurrencyRef?: { value?: string };
  Active?: boolean;
}
/** {CDCResponse: [{QueryResponse: [{Customer: [...], startPosition, maxResults, totalCount?}, {Invoice: [...]}…]}], time} */
interface CdcAnswer {
  CDCResponse?: { QueryResponse?: Record<string, unknown>[] }[];
  time?: string;
}

/** Where each entity's next window starts (ms); the realm guards against a company switched on the connection. */
interface Cursor {
  realmId: string;
  since: Record<QuickBooksEntity, string>;
}
type Positions = Record<QuickBooksEntity, number>;

/** Intuit writes offsets as -07:00 and as -0700 (webhook docs); ms since the epoch, or undefined. */
export function intuitMillis(value: string | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value.trim().replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isFinite(ms) ? ms : undefined;
}

/** Positions are whole seconds: Intuit's changedSince takes UTC to the second. */
const toSecond = (ms: number) => Math.floor(ms / 1000) * 1000;
const isoSecond = (ms: number) => new Date(toSecond(ms)).toISOString().replace('.000Z', 'Z');
const second = (value: string | undefined) => {
  const ms = intuitMillis(value);
  return ms === undefined ? undefined : Math.floor(ms / 1000);
};

function readCursor(raw: string | null, ctx: QuickBooksApiCtx, realmId: string, now: number): Positions {
  const parsed = raw ? (JSON.parse(raw) as Partial<Cursor>) : undefined;
  const start = intuitMillis(ctx.config.startFrom) ?? now - 24 * 3600_000;
  // Intuit refuses an older changedSince: what changed before the lookback cannot be read any more.
  const floor = now - LOOKBACK_MS;
  const same = parsed?.realmId === realmId;
  return Object.fromEntries(ENTITIES.map((e) => [e, toSecond(Math.max(floor, (same ? intuitMillis(parsed?.since?.[e]) : undefined) ?? start))])) as Positions;
}

/** The answer's objects of each requested entity, in Intuit's order. */
function objectsOf(answer: CdcAnswer, entities: readonly QuickBooksEntity[]): Record<QuickBooksEntity, CdcObject[]> {
  const out = Object.fromEntries(ENTITIES.map((e) => [e, [] as CdcObject[]])) as Record<QuickBooksEntity, CdcObject[]>;
  for (const cdc of answer.CDCResponse ?? []) {
    for (const group of cdc.QueryResponse ?? []) {
      for (const e of entities) {
        const list = group?.[e];
        if (Array.isArray(list)) out[e].push(...(list as CdcObject[]).filter((o) => o && typeof o === 'object'));
      }
    }
  }
  return out;
}

/**
 * The next window of each entity. A complete answer (fewer than MAX_OBJECTS) covers the requested
 * entities up to Intuit's answer time (less OVERLAP_MS). A full answer may be cut: each requested
 * entity resumes at its newest active change returned (inclusive: the boundary is re-read and
 * deduplicated; at least one second on, so a second holding more than 1000 changes cannot stall
 * the poll), and one that returned nothing resumes where it was. Entities whose windows differ are
 * read separately, earliest first, and join again: a complete answer moves its entities at most
 * to the next entity's position, and rewinds those ahead to its own (re-reading is harmless).
 * A cut answer can lose the deletions Intuit lists after the cut (it lists them last): the webhook
 * still reports those.
 */
function nextPositions(since: Positions, batch: readonly QuickBooksEntity[], objects: Record<QuickBooksEntity, CdcObject[]>, answeredAt: number): { next: Positions; cut: boolean } {
  const from = since[batch[0]!];
  const next = { ...since };
  const total = batch.reduce((n, e) => n + objects[e].length, 0);
  if (total >= MAX_OBJECTS) {
    for (const e of batch) {
      const active = objects[e].filter((o) => o.status !== 'Deleted');
      const times = (active.length ? active : objects[e]).map((o) => intuitMillis(o.MetaData?.LastUpdatedTime)).filter((t): t is number => t !== undefined);
      if (times.length) next[e] = Math.max(toSecond(Math.max(...times)), from + 1000);
    }
    return { next, cut: true };
  }
  const upTo = Math.max(from, toSecond(answeredAt - OVERLAP_MS));
  const ahead = ENTITIES.filter((e) => !batch.includes(e)).map((e) => since[e]);
  for (const e of ENTITIES) next[e] = Math.min(upTo, batch.includes(e) ? Math.min(...ahead, Infinity) : since[e]);
  return { next, cut: false };
}

/** Created when it was never updated after; Intuit lists deletions with status "Deleted". */
function operationOf(o: CdcObject): 'Create' | 'Update' | 'Delete' {
  if (o.status === 'Deleted') return 'Delete';
  const created = second(o.MetaData?.CreateTime);
  return created !== undefined && created === second(o.MetaData?.LastUpdatedTime) ? 'Create' : 'Update';
}

/** The changes as Intuit's webhook would announce them, mapped by the manifest's webhook rule. */
async function eventsOf(ctx: QuickBooksApiCtx, realmId: string, objects: Record<QuickBooksEntity, CdcObject[]>): Promise<ExternalEvent[]> {
  const changes = ENTITIES.flatMap((name) =>
    objects[name]
      .filter((o) => typeof o.Id === 'string' && intuitMillis(o.MetaData?.LastUpdatedTime) !== undefined)
      .map((o) => ({ name, id: o.Id!, operation: operationOf(o), lastUpdated: o.MetaData!.LastUpdatedTime! })),
  ).sort((a, b) => intuitMillis(a.lastUpdated)! - intuitMillis(b.lastUpdated)!);
  const events: ExternalEvent[] = [];
  // In notifications of MAPPING_CHUNK changes: the kit caps one expression's evaluation at 1 s,
  // and a full answer (1000 changes) in one `each` comes too close to it on a busy worker.
  for (let i = 0; i < changes.length; i += MAPPING_CHUNK) {
    const notification: ParsedRequest = {
      method: 'POST',
      headers: {},
      query: {},
      contentType: 'application/json',
      body: { eventNotifications: [{ realmId, dataChangeEvent: { entities: changes.slice(i, i + MAPPING_CHUNK) } }] },
    };
    events.push(...((await mapInbound(manifest, notification, { config: ctx.config as Record<string, unknown> })) as ExternalEvent[]));
  }
  return events;
}

/** A customer → one contact_update per usable handle (mobile preferred to the primary phone; the first of several emails). */
export function peopleOf(c: CdcCustomer): ContactUpdateEvent[] {
  if (c.status === 'Deleted' || typeof c.Id !== 'string') return [];
  const phone = phoneE164(c.Mobile?.FreeFormNumber) ?? phoneE164(c.PrimaryPhone?.FreeFormNumber);
  const email = c.PrimaryEmailAddr?.Address?.split(/[,;]/)[0]?.trim();
  // A person's own name reads better in a message than a display name, which is often the company's.
  const name = [c.GivenName, c.FamilyName].map((n) => n?.trim()).filter(Boolean).join(' ') || c.DisplayName?.trim();
  const attributes = {
    customerId: c.Id,
    ...(c.DisplayName ? { displayName: c.DisplayName } : {}),
    ...(c.CompanyName ? { companyName: c.CompanyName } : {}),
    ...(typeof c.Balance === 'number' ? { balance: c.Balance } : {}),
    ...(c.CurrencyRef?.value ? { currency: c.CurrencyRef.value } : {}),
    ...(typeof c.Active === 'boolean' ? { active: c.Active } : {}),
  };
  const handles = [phone && { kind: 'phone', value: phone }, email && { kind: 'email', value: email }].filter((h): h is { kind: string; value: string } => !!h);
  return handles.map((handle) => ({ kind: 'contact_update', handle, ...(name ? { name } : {}), externalId: c.Id!, attributes }));
}

export async function pollChanges(rawCursor: string | null, ctx: QuickBooksApiCtx): Promise<PollResult> {
  const realmId = realmOf(ctx);
  const now = (ctx.now ?? Date.now)();
  const since = readCursor(rawCursor, ctx, realmId, now);
  const from = Math.min(...ENTITIES.map((e) => since[e]));
  const batch = ENTITIES.filter((e) => since[e] === from);
  // The SDK writes `since` into the URL as is: isoSecond is UTC ("…Z"), with no "+" to escape.
  const answer = await qbRead<CdcAnswer>(ctx, `CDC ${batch.join(',')}`, (client, done) => client.changeDataCapture(batch, isoSecond(from), done));
  const objects = objectsOf(answer, batch);
  const answeredAt = intuitMillis(answer.time) ?? now;
  const { next, cut } = nextPositions(since, batch, objects, answeredAt);
  const cursor: Cursor = { realmId, since: Object.fromEntries(ENTITIES.map((e) => [e, isoSecond(next[e])])) as Cursor['since'] };
  return {
    events: await eventsOf(ctx, realmId, objects),
    people: (objects.Customer as CdcCustomer[]).flatMap(peopleOf),
    cursor: JSON.stringify(cursor),
    // More to read at once: a cut answer, entities whose windows have yet to join, or a window still
    // behind Intuit's clock by more than an interval (catching up after a cut answer).
    hasMore: cut || new Set(ENTITIES.map((e) => next[e])).size > 1 || Math.min(...ENTITIES.map((e) => next[e])) < answeredAt - OVERLAP_MS - INTERVAL_SECONDS * 1000,
  };
}

export const poll: PollSpec<QuickBooksConfig, QuickBooksSecrets> = { intervalSeconds: INTERVAL_SECONDS, run: pollChanges };
