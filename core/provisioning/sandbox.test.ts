import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import nock from 'nock';
import { usePipeline } from '../../test/pipeline.ts';
import { installDemoConnections } from '../../cli/demo-connections.ts';

/**
 * A sandbox org provisions without credentials: the demo org's sandbox connections (placeholder
 * secrets) search, buy, wire, check health, read registrations and templates, and nothing leaves
 * the process (the network is closed to everything but loopback and no interceptor is set).
 */
const pipeline = usePipeline({ workers: false });

async function sandboxOrg() {
  const h = await pipeline.ready;
  const { orgId, apiKey } = await h.newOrg('Sandbox org');
  await installDemoConnections(h.engine, orgId);
  const list = await h.call(apiKey, 'GET', '/v1/connections');
  const byConnector = (id: string) => list.body.data.find((c: { connector: string }) => c.connector === id) as { id: string; inboundUrl: string };
  return { h, apiKey, byConnector };
}

describe('sandbox provisioning', () => {
  it('Twilio: search → buy → health ok → fix → registration approved → the number sends in the sandbox flow', async () => {
    const { h, apiKey, byConnector } = await sandboxOrg();
    const twilio = byConnector('twilio');
    const found = await h.call(apiKey, 'GET', `/v1/connections/${twilio.id}/numbers/available?areaCode=212&limit=3`);
    assert.equal(found.status, 200, JSON.stringify(found.body));
    assert.equal(found.body.data.length, 3);
    for (const n of found.body.data) assert.match(n.phoneNumber, /^\+121255501\d\d$/);
    const pick = found.body.data[0].phoneNumber;
    const bought = await h.call(apiKey, 'POST', `/v1/connections/${twilio.id}/numbers`, { phoneNumber: pick });
    assert.equal(bought.status, 201, JSON.stringify(bought.body));
    assert.deepEqual([bought.body.sandbox, bought.body.sender.address, bought.body.inboundUrl], [true, pick, twilio.inboundUrl]);

    const health = await h.call(apiKey, 'GET', `/v1/connections/${twilio.id}/health`);
    assert.equal(health.body.status, 'ok', JSON.stringify(health.body));
    assert.ok(health.body.wiring.some((w: { id: string; ok: boolean }) => w.id === pick && w.ok));
    const fixed = await h.call(apiKey, 'POST', `/v1/connections/${twilio.id}/wiring/fix`, {});
    assert.equal(fixed.body.status, 'ok');

    const reg = await h.call(apiKey, 'POST', `/v1/connections/${twilio.id}/registrations/sync`, {});
    assert.ok(reg.body.changed.some((c: { sender: { address: string; registrationStatus: string } }) => c.sender.address === pick && c.sender.registrationStatus === 'approved'));
    const sent = await h.call(apiKey, 'POST', '/v1/send', { channel: 'sms', to: { handle: { kind: 'phone', value: '+14155550123' } }, from: { address: pick }, body: 'From the new number' });
    assert.equal(sent.status, 201, JSON.stringify(sent.body));
    assert.equal(sent.body.senderAddress, pick);

    const numbers = await h.call(apiKey, 'GET', `/v1/connections/${twilio.id}/numbers`);
    assert.ok(numbers.body.numbers.some((n: { phoneNumber: string }) => n.phoneNumber === pick));
    const released = await h.call(apiKey, 'POST', `/v1/connections/${twilio.id}/numbers/release`, { phoneNumber: pick });
    assert.deepEqual([released.body.released, released.body.sendersRemoved], [true, 1]);
    assert.deepEqual(nock.pendingMocks(), []);
  });

  it('WhatsApp and SendGrid: templates (approved and paused) validated at send, wiring fixed, health ok — no credentials, no provider call', async () => {
    const { h, apiKey, byConnector } = await sandboxOrg();
    const wa = byConnector('whatsapp');
    // Its sender makes it the org's WhatsApp connection (the demo's Twilio one carries WhatsApp too).
    assert.equal((await h.call(apiKey, 'POST', `/v1/connections/${wa.id}/senders`, { channel: 'whatsapp', address: '+14155550100' })).status, 201);
    const synced = await h.call(apiKey, 'POST', `/v1/connections/${wa.id}/templates/sync`, {});
    assert.equal(synced.status, 200, JSON.stringify(synced.body));
    assert.deepEqual(synced.body.data.map((t: { name: string; status: string }) => [t.name, t.status]), [['appointment_reminder', 'approved'], ['spring_promo', 'paused']]);
    const send = (template: object) => h.call(apiKey, 'POST', '/v1/send', { channel: 'whatsapp', to: { handle: { kind: 'whatsapp', value: '+14155550123' } }, template });
    assert.equal((await send({ id: 'appointment_reminder', variables: { '1': 'Dana' } })).body.error.code, 'template_variables_mismatch');
    assert.equal((await send({ id: 'spring_promo', variables: { '1': 'Dana' } })).body.error.code, 'template_not_approved');
    const ok = await send({ id: 'appointment_reminder', variables: { '1': 'Dana', '2': 'Friday' } });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    const waHealth = await h.call(apiKey, 'POST', `/v1/connections/${wa.id}/wiring/fix`, {});
    assert.equal(waHealth.body.status, 'ok', JSON.stringify(waHealth.body));

    const email = byConnector('sendgrid');
    const ops = await h.call(apiKey, 'GET', `/v1/connections/${email.id}/provisioning`);
    assert.deepEqual(ops.body, { sandbox: true, operations: ['wiring'] });
    const emailHealth = await h.call(apiKey, 'POST', `/v1/connections/${email.id}/wiring/fix`, {});
    assert.equal(emailHealth.body.status, 'ok', JSON.stringify(emailHealth.body));
    assert.deepEqual(nock.pendingMocks(), []);
  });

  it('an operation the connector does not offer is 422 not_supported, naming what it offers', async () => {
    const { h, apiKey, byConnector } = await sandboxOrg();
    const chat = byConnector('webchat');
    const res = await h.call(apiKey, 'GET', `/v1/connections/${chat.id}/numbers/available`);
    assert.equal(res.status, 422);
    assert.equal(res.body.error.code, 'not_supported');
    assert.deepEqual(res.body.error.details[0].supported, []);
    const health = await h.call(apiKey, 'GET', `/v1/connections/${chat.id}/health`);
    assert.deepEqual([health.status, health.body.status, health.body.wiring], [200, 'ok', null]);
  });
});
