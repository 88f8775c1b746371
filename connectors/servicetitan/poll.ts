import { phoneE164, type ContactUpdateEvent, type ExternalEvent, type PollResult, type PollSpec } from '../kit/index.ts';
import { stGet, type StCtx, type StPage } from './api.ts';
import type { ServiceTitanConfig, ServiceTitanSecrets } from './schemas.ts';

/**
 * Appointments modified since the cursor (JPM v2 `modifiedOnOrAfter`, paged) → one event per
 * appointment status we know, enriched with its job, its customer (name, phone, email) and its
 * assigned technicians (Dispatch v2 appointment-assignments). The external id is
 * "<appointment id>:<status>", so an appointment fires each status once however often it is
 * modified (and a re-polled page fires nothing twice).
 */
export const STATUS_EVENTS: Record<string, string> = {
  Scheduled: 'job.scheduled',
  Dispatched: 'job.dispatched',
  Working: 'job.working',
  Done: 'job.completed',
  Canceled: 'job.canceled',
};

export const PAGE_SIZE = 50;

interface Appointment {
  id: number;
  jobId: number;
  appointmentNumber?: string;
  start?: string;
  end?: string;
  arrivalWindowStart?: string | null;
  arrivalWindowEnd?: string | null;
  status: string;
  customerId: number;
  modifiedOn: string;
}
interface Assignment {
  id: number;
  technicianId: number;
  technicianName: string;
  appointmentId: number;
  active?: boolean;
}
interface Job {
  id: number;
  jobNumber?: string;
  jobStatus?: string;
  summary?: string;
}
interface Customer {
  id: number;
  name?: string;
}
interface CustomerContact {
  type: string;
  value: string;
}

interface Cursor {
  since: string;
  page: number;
  /** The newest modifiedOn seen while paging: the next window starts there. */
  max?: string;
}

function readCursor(raw: string | null, ctx: StCtx): Cursor {
  if (raw) return JSON.parse(raw) as Cursor;
  const now = (ctx.now ?? Date.now)();
  return { since: ctx.config.startFrom ?? new Date(now - 24 * 3600_000).toISOString(), page: 1 };
}

const later = (a: string | undefined, b: string) => (!a || Date.parse(b) > Date.parse(a) ? b : a);

async function customerOf(ctx: StCtx, id: number) {
  const [customer, contacts] = await Promise.all([
    stGet<Customer>(ctx, `/crm/v2/tenant/{tenant}/customers/${id}`),
    stGet<StPage<CustomerContact>>(ctx, `/crm/v2/tenant/{tenant}/customers/${id}/contacts`),
  ]);
  const of = (types: string[]) => contacts.data.find((c) => types.includes(c.type) && c.value?.trim())?.value.trim();
  return { id: String(customer.id), name: customer.name ?? null, phone: phoneE164(of(['MobilePhone', 'Phone'])) ?? null, email: of(['Email']) ?? null };
}

function people(c: Awaited<ReturnType<typeof customerOf>>): ContactUpdateEvent[] {
  const handles = [c.phone && { kind: 'phone', value: c.phone }, c.email && { kind: 'email', value: c.email }].filter((h): h is { kind: string; value: string } => !!h);
  return handles.map((handle) => ({
    kind: 'contact_update',
    handle,
    ...(c.name ? { name: c.name } : {}),
    externalId: c.id,
    attributes: { customerId: c.id },
  }));
}

export async function pollAppointments(rawCursor: string | null, ctx: StCtx): Promise<PollResult> {
  const cursor = readCursor(rawCursor, ctx);
  const page = await stGet<StPage<Appointment>>(ctx, '/jpm/v2/tenant/{tenant}/appointments', {
    modifiedOnOrAfter: cursor.since,
    page: cursor.page,
    pageSize: PAGE_SIZE,
    includeTotal: 'false',
  });
  const relevant = page.data.filter((a) => STATUS_EVENTS[a.status]);
  const assignments = relevant.length
    ? (await stGet<StPage<Assignment>>(ctx, '/dispatch/v2/tenant/{tenant}/appointment-assignments', { appointmentIds: relevant.map((a) => a.id).join(','), pageSize: 500 })).data
    : [];
  const customers = new Map<number, Awaited<ReturnType<typeof customerOf>>>();
  const jobs = new Map<number, Job>();
  const events: ExternalEvent[] = [];
  const persons: ContactUpdateEvent[] = [];
  for (const a of relevant) {
    if (!customers.has(a.customerId)) {
      customers.set(a.customerId, await customerOf(ctx, a.customerId));
      persons.push(...people(customers.get(a.customerId)!));
    }
    if (!jobs.has(a.jobId)) jobs.set(a.jobId, await stGet<Job>(ctx, `/jpm/v2/tenant/{tenant}/jobs/${a.jobId}`));
    const customer = customers.get(a.customerId)!;
    const job = jobs.get(a.jobId)!;
    const techs = assignments.filter((x) => x.appointmentId === a.id && x.active !== false).map((x) => ({ id: String(x.technicianId), name: x.technicianName }));
    events.push({
      kind: 'external_event',
      type: STATUS_EVENTS[a.status]!,
      externalId: `${a.id}:${a.status}`,
      occurredAt: new Date(a.modifiedOn).toISOString(),
      ...(customer.phone ? { subject: { kind: 'phone', value: customer.phone } } : customer.email ? { subject: { kind: 'email', value: customer.email } } : {}),
      data: {
        job: { id: String(job.id), number: job.jobNumber ?? null, status: job.jobStatus ?? null, summary: job.summary ?? null },
        appointment: {
          id: String(a.id),
          number: a.appointmentNumber ?? null,
          status: a.status,
          start: a.start ?? null,
          end: a.end ?? null,
          arrivalWindowStart: a.arrivalWindowStart ?? null,
          arrivalWindowEnd: a.arrivalWindowEnd ?? null,
        },
        customer,
        technician: techs[0] ?? null,
        technicians: techs,
      },
    });
  }
  const max = page.data.reduce((m, a) => later(m, a.modifiedOn), cursor.max);
  // Paging within one window keeps `since`; the next window starts at the newest change seen
  // (inclusive: the boundary record comes again and is deduplicated by its external id).
  const next: Cursor = page.hasMore ? { since: cursor.since, page: cursor.page + 1, ...(max ? { max } : {}) } : { since: max ?? cursor.since, page: 1 };
  return { events, people: persons, cursor: JSON.stringify(next), hasMore: page.hasMore };
}

export const poll: PollSpec<ServiceTitanConfig, ServiceTitanSecrets> = { intervalSeconds: 60, run: pollAppointments };
