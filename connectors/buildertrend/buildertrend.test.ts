import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'vitest';
import { createRegistry, MappingError, type ExternalEvent } from '../kit/index.ts';
import { assertRejected, runFixture, type Fixture } from '../kit/harness.ts';
import buildertrend, { type BuilderTrendConfig, type BuilderTrendSecrets } from './index.ts';

const csv = (name: string) => readFileSync(new URL(`./fixtures/${name}.csv`, import.meta.url), 'utf8');
const secrets: BuilderTrendSecrets = { uploadToken: 'bt_'.padEnd(40, 'z') };
const config: BuilderTrendConfig = {
  columns: {
    scheduleItems: {
      externalId: 'ID', job: 'Job', title: 'Title', start: 'Start', end: 'End', baselineStart: 'Baseline Start',
      baselineEnd: 'Baseline End', assignees: 'Assignees', phone: 'Client Phone',
    },
    dailyLogs: { externalId: 'Log ID', job: 'Job', date: 'Date', title: 'Title', notes: 'Notes', weather: 'Weather', author: 'Added By' },
    jobs: { externalId: 'Job Name', name: 'Job Name', status: 'Status', client: 'Client', email: 'Client Email', projectManager: 'Project Manager' },
  },
};
const upload = (exportName: string, body: string): Fixture => ({
  name: exportName,
  request: { url: `https://sb.test/v1/receive/conn?export=${exportName}`, headers: { 'content-type': 'text/csv; charset=utf-8' }, body },
});
const events = async (f: Fixture, c: BuilderTrendConfig = config) => (await runFixture(buildertrend, f, { config: c, secrets })).events as ExternalEvent[];
const refused = async (f: Fixture, problem: RegExp, c: BuilderTrendConfig = config) =>
  assert.rejects(runFixture(buildertrend, f, { config: c, secrets }), (e: unknown) => MappingError.is(e) && e.problems.some((p) => problem.test(p)));

describe('buildertrend connector', () => {
  it('is a vertical connector; the upload token is checked', async () => {
    const registry = createRegistry();
    registry.register(buildertrend);
    assert.equal(registry.resolve('buildertrend', 1), buildertrend);
    assert.deepEqual(buildertrend.validateConfig(config), []);
    assert.deepEqual(buildertrend.validateConfig({ columns: { jobs: { externalId: 'Job Name' } } }), ["config/columns/jobs: must have required property 'status'"]);
    const f = upload('jobs', csv('jobs'));
    assert.deepEqual((await runFixture(buildertrend, f, { config, secrets })).verification, { ok: true });
    assertRejected(await runFixture(buildertrend, f, { config, secrets, mutate: (r) => ({ ...r, headers: { ...r.headers, authorization: 'Bearer nope' } }) }), 'bad_signature');
  });

  it('schedule rows → schedule_item.updated for each, schedule_item.delayed when a date is past its baseline', async () => {
    const out = await events(upload('schedule_items', csv('schedule_items')));
    assert.deepEqual(out.map((e) => e.type), ['schedule_item.updated', 'schedule_item.updated', 'schedule_item.updated', 'schedule_item.delayed', 'schedule_item.delayed']);
    const tile = out[3]!;
    assert.deepEqual(tile, {
      kind: 'external_event', type: 'schedule_item.delayed', externalId: 'buildertrend:schedule:s-1:delayed:2026-01-12/2026-01-16',
      subject: { kind: 'phone', value: '+14155550199' },
      data: {
        itemId: 's-1', title: 'Tile delivery', job: 'Smith Kitchen', start: '2026-01-12', end: '2026-01-16',
        baselineStart: '2026-01-12', baselineEnd: '2026-01-14', assignees: 'ABC Tile', delayDays: 2,
      },
    });
    // ISO dates with a time, and a start past its baseline.
    assert.equal(out[4]!.externalId, 'buildertrend:schedule:s-3:delayed:2026-01-08/2026-01-09');
    assert.equal(out[4]!.data.delayDays, 3);
    assert.equal(out[4]!.subject, undefined);
  });

  it('the same upload repeats its ids; a further delay is a new delayed event', async () => {
    const a = await events(upload('schedule_items', csv('schedule_items')));
    const b = await events(upload('schedule_items', csv('schedule_items')));
    assert.deepEqual(a.map((e) => e.externalId), b.map((e) => e.externalId));
    const later = await events(upload('schedule_items', csv('schedule_items').replace('1/12/2026,1/16/2026', '1/12/2026,1/20/2026')));
    const delayed = later.filter((e) => e.type === 'schedule_item.delayed');
    assert.equal(delayed[0]!.externalId, 'buildertrend:schedule:s-1:delayed:2026-01-12/2026-01-20');
    assert.equal(delayed[0]!.data.delayDays, 6);
  });

  it('a day-first date format is configurable; an unreadable date refuses the upload', async () => {
    const body = 'ID,Start,End,Baseline End\r\nx,12/01/2026,16/01/2026,14/01/2026\r\n';
    const c: BuilderTrendConfig = { dateFormat: '[D]/[M]/[Y]', columns: { scheduleItems: { externalId: 'ID', start: 'Start', end: 'End', baselineEnd: 'Baseline End' } } };
    const out = await events(upload('schedule_items', body), c);
    assert.deepEqual(out.map((e) => [e.type, e.data.end]), [['schedule_item.updated', '2026-01-16'], ['schedule_item.delayed', '2026-01-16']]);
    await refused(upload('schedule_items', 'ID,Start,End,Baseline End\r\nx,soon,later,never\r\n'), /columns\.scheduleItems\.start: a date does not match dateFormat \[D\]\/\[M\]\/\[Y\]/, c);
  });

  it('daily logs → daily_log.created; jobs → job.status_changed with the status in the id', async () => {
    const [log] = await events(upload('daily_logs', csv('daily_logs')));
    assert.deepEqual(log, {
      kind: 'external_event', type: 'daily_log.created', externalId: 'buildertrend:daily_log:d-1',
      data: { logId: 'd-1', job: 'Smith Kitchen', date: '1/13/2026', title: 'Demo done', notes: 'Removed old cabinets; "rotted" subfloor found', weather: 'Sunny', author: 'Pat' },
    });
    const jobs = await events(upload('jobs', csv('jobs')));
    assert.deepEqual(jobs.map((e) => [e.externalId, e.subject]), [
      ['buildertrend:job:Smith Kitchen:open', { kind: 'email', value: 'ann@example.com' }],
      ['buildertrend:job:Jones Bath:closed', { kind: 'email', value: 'bo@example.com' }],
    ]);
  });

  it('malformed CSV and missing mapped headers are refused (400)', async () => {
    await refused(upload('jobs', 'Job Name,Status\nA,Open,extra\n'), /invalid CSV \(data row 1: 3 fields where the header has 2\)/);
    await refused(upload('daily_logs', 'Log ID,Job\nd-1,X\n'), /columns\.dailyLogs: header\(s\) .*"Date" \(date\)/);
  });
});
