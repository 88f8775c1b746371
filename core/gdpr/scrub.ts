/**
 * What is left of a payload (an event's data, a stored idempotent response) that described an
 * erased person: ids, types, statuses and times — the skeleton a feed consumer needs to stay
 * consistent — and nothing else. A whitelist, so a field added tomorrow is dropped by default.
 *
 * Kept at any depth: our own ids (keys id, …Id, …Ids whose values are UUIDs) and a few structural
 * scalars. Containers (message, conversation, contact, participants …) are walked with the same
 * rule; every other value — names, handle values, bodies, subjects, media, attributes, metadata,
 * error texts, addresses — is dropped. Ids other systems gave (a CRM record's externalId, which
 * can be an email address; a provider's message id; a client's own id) are their data about the
 * person, not ours: erasure deleted the rows that held them, so the feed must not keep them.
 */
const SCALARS = new Set([
  'object', 'type', 'kind', 'status', 'direction', 'channel', 'role', 'purpose', 'at', 'from', 'to',
  'createdAt', 'updatedAt', 'lastMessageAt', 'contentPurgedAt', 'errorCode', 'change', 'changes', 'moved', 'created',
]);
const CONTAINERS = new Set(['message', 'conversation', 'contact', 'restored', 'participants', 'handles', 'links', 'merge', 'signal', 'data', 'error']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Keys of ids named by others: dropped even when shaped like a UUID (a CRM may use UUIDs too). */
const FOREIGN = /^(external|provider|client)/;
const isOwnId = (key: string, v: unknown) =>
  (key === 'id' || /[a-z](Id|Ids)$/.test(key)) &&
  !FOREIGN.test(key) &&
  (Array.isArray(v) ? v : [v]).every((x) => x === null || (typeof x === 'string' && UUID.test(x)));

const isPlainValue = (v: unknown): boolean =>
  v === null || ['string', 'number', 'boolean'].includes(typeof v) || (Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object'));

function scrubValue(key: string, v: unknown): unknown {
  if (isOwnId(key, v)) return v;
  if (SCALARS.has(key)) {
    if (isPlainValue(v)) return v;
    // `moved` is counts per kind; `from`/`to` may be handles ({kind, value}): walk them.
    return typeof v === 'object' ? scrubNode(v) : undefined;
  }
  if (CONTAINERS.has(key) && typeof v === 'object' && v !== null) return scrubNode(v);
  return undefined;
}

function scrubNode(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' && x !== null ? scrubNode(x) : x));
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const kept = scrubValue(k, x);
    if (kept !== undefined) out[k] = kept;
  }
  return out;
}

export function scrubPayload(data: unknown): Record<string, unknown> {
  const out = scrubNode(data);
  return { ...(typeof out === 'object' && out !== null && !Array.isArray(out) ? out : {}), erased: true };
}
