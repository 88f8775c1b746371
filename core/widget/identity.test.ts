import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'vitest';
import { normalizeOrigin, originAllowed, userHash, verifyUserHash } from './identity.ts';

const SECRET = 'whk_4f3e2d1c0b9a8f7e6d5c4b3a29181716';
const config = { allowedOrigins: ['https://app.example.com', 'http://localhost:3000', 'https://*.tenants.example.net'] };

describe('widget identity verification (userHash)', () => {
  it('is the hex HMAC-SHA256 of the user id with the identity secret, as a host app server computes it', () => {
    const expected = createHmac('sha256', SECRET).update('user_8421').digest('hex');
    assert.equal(userHash(SECRET, 'user_8421'), expected);
    assert.ok(verifyUserHash(SECRET, 'user_8421', expected));
    assert.ok(verifyUserHash(SECRET, 'user_8421', expected.toUpperCase()), 'hex case does not matter');
  });

  it('refuses another user id, another secret, a truncated, non-hex or missing hash', () => {
    const good = userHash(SECRET, 'user_8421');
    assert.ok(!verifyUserHash(SECRET, 'user_8422', good));
    assert.ok(!verifyUserHash(SECRET.replace('w', 'W'), 'user_8421', good));
    assert.ok(!verifyUserHash(SECRET, 'user_8421', good.slice(0, 63)));
    assert.ok(!verifyUserHash(SECRET, 'user_8421', `${good.slice(0, 63)}g`));
    assert.ok(!verifyUserHash(SECRET, 'user_8421', undefined));
    assert.ok(!verifyUserHash(SECRET, 'user_8421', ''));
  });
});

describe('widget allowed origins', () => {
  it('matches exact origins, with scheme and port, case-insensitively on the host', () => {
    assert.ok(originAllowed(config, 'https://app.example.com'));
    assert.ok(originAllowed(config, 'https://APP.example.com:443'));
    assert.ok(originAllowed(config, 'http://localhost:3000'));
    assert.ok(!originAllowed(config, 'http://app.example.com'), 'another scheme');
    assert.ok(!originAllowed(config, 'https://app.example.com:8443'), 'another port');
    assert.ok(!originAllowed(config, 'http://localhost:3001'));
    assert.ok(!originAllowed(config, 'https://app.example.com.evil.test'));
    assert.ok(!originAllowed(config, 'https://evilapp.example.com'));
  });

  it('a *. entry matches every subdomain, never the bare domain nor a look-alike', () => {
    assert.ok(originAllowed(config, 'https://acme.tenants.example.net'));
    assert.ok(originAllowed(config, 'https://eu.acme.tenants.example.net'));
    assert.ok(!originAllowed(config, 'https://tenants.example.net'));
    assert.ok(!originAllowed(config, 'https://acmetenants.example.net'));
    assert.ok(!originAllowed(config, 'http://acme.tenants.example.net'));
  });

  it('refuses what is not an http(s) origin: missing, "null" (sandboxed frames, file://), with a path or credentials', () => {
    for (const o of [undefined, null, '', 'null', 'file://', 'https://app.example.com/chat', 'https://u:p@app.example.com', 'chrome-extension://abc']) {
      assert.ok(!originAllowed(config, o), String(o));
    }
  });
});

describe('normalizeOrigin', () => {
  it('keeps scheme, host and a non-default port', () => {
    assert.equal(normalizeOrigin('HTTPS://App.Example.com:443'), 'https://app.example.com');
    assert.equal(normalizeOrigin('http://localhost:3000'), 'http://localhost:3000');
    assert.equal(normalizeOrigin('ftp://example.com'), null);
  });
});
