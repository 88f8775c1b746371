import { csvRowsExpression, type Manifest } from '../kit/index.ts';

/**
 * Uploaded BuilderTrend exports (text/csv) → external events. Which export a file is comes from
 * the upload URL (`?export=schedule_items | daily_logs | jobs`); rows are read under our field
 * names through the connection's column mapping (csvRowsExpression).
 */
const isExport = (name: string) => `contentType = 'text/csv' and query.export = '${name}'`;

// Dates as YYYY-MM-DD through the configured picture (ISO always accepted, a trailing time dropped).
// An unreadable date refuses the upload: a wrong dateFormat must not silently hide delays.
const withDays = (rows: string) => `(
  $pic := $config.dateFormat ? $config.dateFormat : '[M]/[D]/[Y]';
  $day := function($s, $field) { $s ? (
    $t := $replace($s, /\\s+\\d{1,2}:\\d{2}.*$/, '');
    $ms := $match($t, /^\\d{4}-\\d{2}-\\d{2}$/) ? $toMillis($t & 'T00:00:00Z') : $toMillis($t, $pic);
    $ms ? $fromMillis($ms, '[Y0001]-[M01]-[D01]') : $error('columns.scheduleItems.' & $field & ': a date does not match dateFormat ' & $pic)
  ) };
  [${rows}.$merge([$, {
    'startDay': $day(start, 'start'), 'endDay': $day(end, 'end'),
    'baselineStartDay': $day(baselineStart, 'baselineStart'), 'baselineEndDay': $day(baselineEnd, 'baselineEnd')
  }])]
)`;
const schedule = withDays(`(${csvRowsExpression('scheduleItems', ['externalId'])})`);
const delayed = `(${schedule})[(endDay and baselineEndDay and endDay > baselineEndDay) or (startDay and baselineStartDay and startDay > baselineStartDay)]`;
const scheduleData = {
  itemId: 'externalId',
  title: 'title',
  job: 'job',
  start: 'startDay',
  end: 'endDay',
  baselineStart: 'baselineStartDay',
  baselineEnd: 'baselineEndDay',
  assignees: 'assignees',
  status: 'status',
};
const digest = "$substring($sha256($string($sift($, function($v, $k) { $k != 'subject' }))), 0, 16)";

export const manifest: Manifest = {
  description: 'BuilderTrend CSV exports uploaded to the receive URL → schedule_item.updated / .delayed, daily_log.created, job.status_changed.',
  inbound: [
    {
      name: 'schedule_item.updated',
      match: isExport('schedule_items'),
      each: schedule,
      emit: 'external_event',
      fields: {
        type: "'schedule_item.updated'",
        // A changed row (new dates, status, assignees) is a new event; the same row again a duplicate.
        externalId: `'buildertrend:schedule:' & externalId & ':' & ${digest}`,
        subject: 'subject',
        data: scheduleData,
      },
    },
    {
      name: 'schedule_item.delayed',
      match: isExport('schedule_items'),
      each: delayed,
      emit: 'external_event',
      fields: {
        type: "'schedule_item.delayed'",
        // The current dates are part of the id: a further delay is a new event.
        externalId: "'buildertrend:schedule:' & externalId & ':delayed:' & $join([startDay ? startDay : '-', endDay ? endDay : '-'], '/')",
        subject: 'subject',
        data: {
          ...scheduleData,
          delayDays: "$max([endDay and baselineEndDay ? ($toMillis(endDay) - $toMillis(baselineEndDay)) / 86400000, startDay and baselineStartDay ? ($toMillis(startDay) - $toMillis(baselineStartDay)) / 86400000])",
        },
      },
    },
    {
      name: 'daily_log.created',
      match: isExport('daily_logs'),
      each: csvRowsExpression('dailyLogs', ['externalId']),
      emit: 'external_event',
      fields: {
        type: "'daily_log.created'",
        externalId: "'buildertrend:daily_log:' & externalId",
        data: { logId: 'externalId', job: 'job', date: 'date', title: 'title', notes: 'notes', weather: 'weather', author: 'author' },
      },
    },
    {
      name: 'job.status_changed',
      match: isExport('jobs'),
      each: csvRowsExpression('jobs', ['externalId', 'status']),
      emit: 'external_event',
      fields: {
        type: "'job.status_changed'",
        externalId: "'buildertrend:job:' & externalId & ':' & $lowercase(status)",
        subject: 'subject',
        data: {
          jobId: 'externalId',
          name: 'name',
          status: 'status',
          address: 'address',
          client: 'client',
          projectManager: 'projectManager',
          start: 'start',
          end: 'end',
        },
      },
    },
  ],
};
