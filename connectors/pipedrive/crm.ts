import { v1, v2 } from 'pipedrive';
import type { CrmApi, CrmLogEntry, CrmRecord } from '../kit/index.ts';
import { call, pipedriveConfig, withHttpErrors, type PipedriveContext } from './client.ts';
import type { PipedriveConfig, PipedriveSecrets } from './schemas.ts';

/**
 * CRM hooks over Pipedrive, through the `pipedrive` SDK:
 * - findContact: GET /api/v2/persons/search?term=…&fields=phone|email&exact_match=true;
 * - createContact: POST /api/v2/persons;
 * - logMessages: one note per message (POST /v1/notes) on the person, and on the deal when the
 *   link's data names one (dealId). Pipedrive has no batch note endpoint; one note per message
 *   also gives each message its own provider id, so nothing is ever logged twice;
 * - logNote: a note (POST /v1/notes) on the person (and the linked deal), the text HTML-escaped.
 */
interface PersonItem {
  id: number;
  name?: string;
  phones?: ({ value: string } | string)[];
  emails?: ({ value: string } | string)[];
  primary_email?: string;
  owner?: { id: number };
  organization?: { id: number; name?: string } | null;
}

const first = (list: PersonItem['phones']) => {
  const v = list?.[0];
  return typeof v === 'string' ? v : v?.value;
};

function toRecord(ctx: PipedriveContext, p: PersonItem): CrmRecord {
  const origin = (ctx.config.apiDomain ?? '').replace(/\/$/, '');
  const phone = first(p.phones);
  const email = first(p.emails) ?? p.primary_email;
  const data: Record<string, unknown> = {};
  if (p.owner?.id) data.ownerId = p.owner.id;
  if (p.organization?.id) data.organizationId = p.organization.id;
  return {
    externalId: String(p.id),
    // Only a company domain (OAuth api_domain) makes a browsable record link.
    ...(origin && !origin.includes('api.pipedrive.com') ? { url: `${origin}/person/${p.id}` } : {}),
    ...(p.name ? { name: p.name } : {}),
    ...(phone ? { phone } : {}),
    ...(email ? { email } : {}),
    data,
  };
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function noteContent(e: CrmLogEntry): string {
  const arrow = e.direction === 'inbound' ? `Received from ${e.theirs ?? 'contact'}` : `Sent to ${e.theirs ?? 'contact'}`;
  const head = `<b>${escape(e.channel.toUpperCase())}</b> · ${escape(arrow)} · ${escape(e.at)}`;
  const subject = e.subject ? `<br><b>${escape(e.subject)}</b>` : '';
  // Notes are HTML in Pipedrive.
  return `${head}${subject}<br>${escape(e.body ?? '').replace(/\n/g, '<br>')}`;
}

export const pipedriveCrm: CrmApi<PipedriveConfig, PipedriveSecrets> = {
  async findContact(query, ctx: PipedriveContext) {
    const { v2: conf } = await pipedriveConfig(ctx);
    const persons = withHttpErrors(new v2.PersonsApi(conf));
    const searches: { term: string; fields: 'phone' | 'email' }[] = [
      ...(query.phone ? [{ term: query.phone, fields: 'phone' as const }] : []),
      ...(query.email ? [{ term: query.email, fields: 'email' as const }] : []),
    ];
    for (const s of searches) {
      const res = await call('person search', () => persons.searchPersons({ term: s.term, fields: s.fields, exact_match: true, limit: 1 }));
      const item = (res.data as { items?: { item: PersonItem }[] } | undefined)?.items?.[0]?.item;
      if (item) return toRecord(ctx, item);
    }
    return null;
  },

  async createContact(input, ctx: PipedriveContext) {
    const { v2: conf } = await pipedriveConfig(ctx);
    const persons = withHttpErrors(new v2.PersonsApi(conf));
    const body = {
      // Pipedrive requires a name.
      name: input.name ?? input.phone ?? input.email ?? 'Unknown',
      ...(input.phone ? { phones: [{ value: input.phone, primary: true, label: 'mobile' }] } : {}),
      ...(input.email ? { emails: [{ value: input.email, primary: true, label: 'work' }] } : {}),
    };
    const res = await call('person create', () => persons.addPerson({ AddPersonRequest: body }));
    return toRecord(ctx, res.data as unknown as PersonItem);
  },

  async logMessages({ record, entries }, ctx: PipedriveContext) {
    const { v1: conf } = await pipedriveConfig(ctx);
    const notes = withHttpErrors(new v1.NotesApi(conf));
    const personId = Number(record.externalId);
    const dealId = Number(record.data?.dealId);
    const logged: { messageId: string; externalId: string }[] = [];
    for (const e of entries) {
      const note = { content: noteContent(e), person_id: personId, ...(Number.isInteger(dealId) && dealId > 0 ? { deal_id: dealId } : {}) };
      try {
        const res = await call('note create', () => notes.addNote({ AddNoteRequest: note }));
        logged.push({ messageId: e.messageId, externalId: String((res.data as { id: number }).id) });
      } catch (err) {
        // Notes logged before the failure are reported (the engine records them); the rest retry.
        if (logged.length) return { logged };
        throw err;
      }
    }
    return { logged };
  },

  async logNote({ record, note }, ctx: PipedriveContext) {
    const { v1: conf } = await pipedriveConfig(ctx);
    const notes = withHttpErrors(new v1.NotesApi(conf));
    const dealId = Number(record.data?.dealId);
    const body = {
      content: `<b>Conversation summary</b><br>${escape(note.text).replace(/\n/g, '<br>')}`,
      person_id: Number(record.externalId),
      ...(Number.isInteger(dealId) && dealId > 0 ? { deal_id: dealId } : {}),
    };
    const res = await call('note create', () => notes.addNote({ AddNoteRequest: body }));
    return { externalId: String((res.data as { id: number }).id) };
  },
};
