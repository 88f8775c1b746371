// The column-mapping vocabulary is shared with the other export-upload connector.
import { uploadTokenSecretsSchema } from '../kit/index.ts';
import { callingCodeSchema, header, type ColumnRef } from '../rentredi/schemas.ts';

/**
 * Connection config and secrets of the BuilderTrend connector. BuilderTrend's API is
 * partner-gated and its export columns are not documented publicly, so the admin maps each of our
 * fields to a header of the export they download (see README).
 */
export interface BuilderTrendConfig {
  defaultCallingCode?: string;
  dateFormat?: string;
  columns: {
    scheduleItems?: Record<string, ColumnRef>;
    dailyLogs?: Record<string, ColumnRef>;
    jobs?: Record<string, ColumnRef>;
  };
}

export interface BuilderTrendSecrets {
  uploadToken: string;
}

const section = (title: string, required: string[], fields: Record<string, string>) => ({
  type: 'object',
  title,
  additionalProperties: false,
  required,
  properties: Object.fromEntries(Object.entries(fields).map(([k, d]) => [k, header(d)])),
});

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['columns'],
  properties: {
    defaultCallingCode: callingCodeSchema,
    dateFormat: {
      type: 'string',
      title: 'Date format',
      description: 'How dates are written in your exports, as a JSONata/XPath picture (default "[M]/[D]/[Y]", e.g. 1/15/2026; "[D]/[M]/[Y]" for 15/1/2026). ISO dates (2026-01-15) are always read; a time after the date is ignored.',
      minLength: 3,
      default: '[M]/[D]/[Y]',
    },
    columns: {
      type: 'object',
      title: 'Column mapping',
      description: 'For each export you upload: our field → the header of that column in your export file (a list of headers joins their values, e.g. ["Job", "Title"] as a key).',
      additionalProperties: false,
      minProperties: 1,
      properties: {
        scheduleItems: section('Schedule export', ['externalId'], {
          externalId: 'Column(s) identifying the schedule item uniquely (an ID column, else e.g. ["Job", "Title"]).',
          title: 'Title.',
          job: 'Job name.',
          start: 'Start date (current).',
          end: 'End date (current).',
          baselineStart: 'Baseline / original start date: a later start is a delay.',
          baselineEnd: 'Baseline / original end date: a later end is a delay.',
          assignees: 'Assignees.',
          status: 'Status / complete.',
          phone: "Client's phone, if the export has it: the event's subject.",
          email: "Client's email: the subject when there is no usable phone.",
        }),
        dailyLogs: section('Daily logs export', ['externalId'], {
          externalId: 'Column(s) identifying the log uniquely (an ID column, else e.g. ["Job", "Date", "Added By"]).',
          job: 'Job name.',
          date: 'Log date.',
          title: 'Title.',
          notes: 'Notes.',
          weather: 'Weather.',
          author: 'Added by.',
        }),
        jobs: section('Job list export', ['externalId', 'status'], {
          externalId: 'Column(s) identifying the job uniquely (an ID column, else the job name).',
          status: 'Job status: a new status is a new job.status_changed event.',
          name: 'Job name.',
          address: 'Job address.',
          client: 'Client (homeowner) name.',
          phone: "Client's phone: the event's subject.",
          email: "Client's email: the subject when there is no usable phone.",
          projectManager: 'Project manager.',
          start: 'Projected / actual start.',
          end: 'Projected / actual completion.',
        }),
      },
    },
  },
} as const;

export const secretsSchema = uploadTokenSecretsSchema;
