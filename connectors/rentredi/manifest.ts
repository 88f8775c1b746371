import { csvRowsExpression, type Manifest } from '../kit/index.ts';

/**
 * Uploaded RentRedi exports (text/csv) → external events. Which export a file is comes from the
 * upload URL (`?export=tenants` / `?export=maintenance_requests`); its rows are read under our
 * field names through the connection's column mapping (csvRowsExpression).
 */
const isExport = (name: string) => `contentType = 'text/csv' and query.export = '${name}'`;
const requests = csvRowsExpression('maintenanceRequests', ['externalId', 'status']);
const requestData = {
  requestId: 'externalId',
  title: 'title',
  description: 'description',
  category: 'category',
  priority: 'priority',
  status: 'status',
  property: 'property',
  unit: 'unit',
  tenantName: 'tenantName',
  createdAt: 'createdAt',
};

export const manifest: Manifest = {
  description: 'RentRedi CSV exports uploaded to the receive URL → tenant.updated, maintenance_request.created / .updated.',
  inbound: [
    {
      name: 'tenants',
      match: isExport('tenants'),
      each: csvRowsExpression('tenants', ['externalId']),
      emit: 'external_event',
      fields: {
        type: "'tenant.updated'",
        // The digest of the mapped row: the same row uploaded again is a duplicate, a changed one a new event.
        externalId: "'rentredi:tenant:' & externalId & ':' & $substring($sha256($string($sift($, function($v, $k) { $k != 'subject' }))), 0, 16)",
        subject: 'subject',
        data: {
          tenantId: 'externalId',
          name: "name ? name : ($n := $join([firstName, lastName], ' '); $n != '' ? $n)",
          firstName: 'firstName',
          lastName: 'lastName',
          phone: "subject.kind = 'phone' ? subject.value",
          email: 'email ? $lowercase(email)',
          property: 'property',
          unit: 'unit',
          status: 'status',
          leaseStart: 'leaseStart',
          leaseEnd: 'leaseEnd',
        },
      },
    },
    {
      name: 'maintenance_request.created',
      match: isExport('maintenance_requests'),
      each: requests,
      emit: 'external_event',
      fields: {
        type: "'maintenance_request.created'",
        // Once per request: the engine dedupes (connection, type, externalId).
        externalId: "'rentredi:mr:' & externalId",
        subject: 'subject',
        data: requestData,
      },
    },
    {
      name: 'maintenance_request.updated',
      match: isExport('maintenance_requests'),
      each: requests,
      emit: 'external_event',
      fields: {
        type: "'maintenance_request.updated'",
        // The status is part of the id: a re-upload is a duplicate, a status change a new event.
        externalId: "'rentredi:mr:' & externalId & ':' & $lowercase(status)",
        subject: 'subject',
        data: requestData,
      },
    },
  ],
};
