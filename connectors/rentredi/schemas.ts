import { uploadTokenSecretsSchema } from '../kit/index.ts';

/**
 * Connection config and secrets of the RentRedi connector. RentRedi publishes no API and no
 * export format, so nothing here presumes header names: the admin maps each of our fields to the
 * header of the export they download (see README). The dashboard renders the form from these.
 */
export type ColumnRef = string | string[];

export interface RentRediConfig {
  defaultCallingCode?: string;
  columns: {
    tenants?: Record<string, ColumnRef>;
    maintenanceRequests?: Record<string, ColumnRef>;
  };
}

export interface RentRediSecrets {
  uploadToken: string;
}

export const header = (description: string) => ({
  description,
  oneOf: [
    { type: 'string', minLength: 1 },
    { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
  ],
});

export const callingCodeSchema = {
  type: 'string',
  title: 'Default calling code',
  description: 'Country calling code for phone numbers written without one in the export (default 1: US/Canada).',
  pattern: '^[1-9][0-9]{0,2}$',
  default: '1',
} as const;

export const configSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['columns'],
  properties: {
    defaultCallingCode: callingCodeSchema,
    columns: {
      type: 'object',
      title: 'Column mapping',
      description: 'For each export you upload: our field → the header of that column in your export file (a list of headers joins their values).',
      additionalProperties: false,
      minProperties: 1,
      properties: {
        tenants: {
          type: 'object',
          title: 'Tenant list export',
          additionalProperties: false,
          required: ['externalId'],
          properties: {
            externalId: header('Column(s) identifying the tenant uniquely (e.g. an ID column, else the email column).'),
            name: header('Full name.'),
            firstName: header('First name (when the export splits names).'),
            lastName: header('Last name.'),
            phone: header('Phone number: becomes the contact handle.'),
            email: header('Email: the handle when there is no usable phone.'),
            property: header('Property name or address.'),
            unit: header('Unit.'),
            status: header('Tenant or lease status.'),
            leaseStart: header('Lease start date.'),
            leaseEnd: header('Lease end date.'),
          },
        },
        maintenanceRequests: {
          type: 'object',
          title: 'Maintenance requests export',
          additionalProperties: false,
          required: ['externalId', 'status'],
          properties: {
            externalId: header('Column(s) identifying the request uniquely.'),
            status: header('Request status: a new status is a new maintenance_request.updated event.'),
            title: header('Title or summary.'),
            description: header('Description.'),
            category: header('Category.'),
            priority: header('Priority.'),
            property: header('Property.'),
            unit: header('Unit.'),
            tenantName: header('Tenant who reported it.'),
            phone: header("Tenant's phone: the event's subject."),
            email: header("Tenant's email: the subject when there is no usable phone."),
            createdAt: header('Date the request was submitted.'),
          },
        },
      },
    },
  },
} as const;

export const secretsSchema = uploadTokenSecretsSchema;
