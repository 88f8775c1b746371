import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scrubPayload } from './scrub.ts';

const OURS = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const OTHER = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c';

test('an erased payload keeps our own UUIDs and drops ids other systems gave, whatever their shape', () => {
  const scrubbed = scrubPayload({
    contact: {
      id: OURS,
      name: 'Ada Lovelace',
      links: [
        { id: OTHER, system: 'hubspot', externalId: 'ada.crm@example.org', url: 'https://crm.example/ada', createdAt: '2026-12-01T00:00:00.000Z' },
        { id: OURS, system: 'acme-crm', externalId: '6f1c2d3e-4b5a-4c6d-8e7f-8091a2b3c4d5' },
      ],
    },
    message: { id: OTHER, contactId: OURS, providerMessageId: 'SM9f8e7d6c5b4a39281706f5e4d3c2b1a0', clientMessageId: 'ada-phone-42', conversationId: OURS },
    absorbedIds: [OURS, OTHER],
    mergeId: OTHER,
    accountId: 'ada@example.com',
    wabaIds: ['102290129340398'],
  });
  assert.deepEqual(scrubbed, {
    contact: { id: OURS, links: [{ id: OTHER, createdAt: '2026-12-01T00:00:00.000Z' }, { id: OURS }] },
    message: { id: OTHER, contactId: OURS, conversationId: OURS },
    absorbedIds: [OURS, OTHER],
    mergeId: OTHER,
    erased: true,
  });
});
