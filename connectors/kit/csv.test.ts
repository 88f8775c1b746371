import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { CsvError, parseCsv, parseCsvTable } from './csv.ts';
import { MappingError } from './errors.ts';
import { parseRequest } from './request.ts';
import { signBearerToken, verifyBearerToken } from './signatures/index.ts';

describe('parseCsv (RFC 4180)', () => {
  it('reads quoted commas, doubled quotes, line breaks inside quotes, CRLF, LF and lone CR', () => {
    const text = 'a,b,c\r\n"x, y","say ""hi""","two\r\nlines"\n1,,3\r4,5,6';
    assert.deepEqual(parseCsv(text), [
      ['a', 'b', 'c'],
      ['x, y', 'say "hi"', 'two\r\nlines'],
      ['1', '', '3'],
      ['4', '5', '6'],
    ]);
  });

  it('drops a UTF-8 byte-order mark, skips empty lines, keeps a quoted empty field', () => {
    assert.deepEqual(parseCsv('\uFEFFname,unit\r\n\r\nAna,4B\r\n""\r\n\r\n'), [['name', 'unit'], ['Ana', '4B'], ['']]);
  });

  it('refuses stray and unclosed quotes, naming the line but no value', () => {
    assert.throws(() => parseCsv('a,b\n1,x"y'), (e: unknown) => e instanceof CsvError && /line 2: a quote inside an unquoted field/.test(e.message));
    assert.throws(() => parseCsv('a,b\n"1"x,2'), /line 2: text after a closing quote/);
    assert.throws(() => parseCsv('a,b\n"secret,2\n3,4'), (e: unknown) => e instanceof CsvError && e.message === 'line 2: a quoted field is never closed');
  });
});

describe('parseCsvTable', () => {
  it('keys rows by trimmed headers and skips rows that are all empty (",,,")', () => {
    const t = parseCsvTable('\uFEFF Name ,Unit\r\nAna,"4B, rear"\r\n,\r\n');
    assert.deepEqual(t, { columns: ['Name', 'Unit'], rows: [{ Name: 'Ana', Unit: '4B, rear' }] });
  });

  it('refuses empty files, blank or repeated headers and ragged rows', () => {
    assert.throws(() => parseCsvTable(''), /no header row/);
    assert.throws(() => parseCsvTable('a,,c\n1,2,3'), /column 2 has no name/);
    assert.throws(() => parseCsvTable('a,a\n1,2'), /column "a" appears twice/);
    assert.throws(() => parseCsvTable('a,b\n1,2\n3'), /data row 2: 1 fields where the header has 2/);
  });

  it('a column named __proto__ is an own property, not the prototype', () => {
    const { rows } = parseCsvTable('__proto__,x\n{},1');
    assert.equal(Object.getPrototypeOf(rows[0]), Object.prototype);
    assert.equal(rows[0]!['__proto__'], '{}');
  });
});

describe('parseRequest with text/csv', () => {
  const req = (body: string, contentType = 'text/csv; charset=utf-8') => ({
    method: 'POST', url: 'https://x.test/v1/receive/c?export=tenants', headers: { 'Content-Type': contentType }, body: Buffer.from(body, 'utf8'),
  });

  it('decodes the body to {columns, rows}', () => {
    const parsed = parseRequest(req('id,name\r\n1,"Doe, Jane"\r\n'));
    assert.equal(parsed.contentType, 'text/csv');
    assert.deepEqual(parsed.query, { export: 'tenants' });
    assert.deepEqual(parsed.body, { columns: ['id', 'name'], rows: [{ id: '1', name: 'Doe, Jane' }] });
  });

  it('a malformed CSV is a MappingError (the ingress answers 400)', () => {
    assert.throws(
      () => parseRequest(req('id,name\n1,"Doe')),
      (e: unknown) => MappingError.is(e) && e.problems.join() === 'body: invalid CSV (line 2: a quoted field is never closed)',
    );
  });
});

describe('bearer upload tokens', () => {
  const token = 'u'.repeat(40);
  it('accepts the token, refuses a missing, malformed or wrong one', () => {
    assert.deepEqual(verifyBearerToken({ headers: signBearerToken(token) }, token), { ok: true });
    assert.deepEqual(verifyBearerToken({ headers: { Authorization: `bearer ${token}` } }, token), { ok: true });
    assert.deepEqual(verifyBearerToken({ headers: {} }, token), { ok: false, reason: 'missing_signature' });
    assert.deepEqual(verifyBearerToken({ headers: { authorization: `Basic ${token}` } }, token), { ok: false, reason: 'malformed' });
    assert.deepEqual(verifyBearerToken({ headers: { authorization: `Bearer ${token}x` } }, token), { ok: false, reason: 'bad_signature' });
    assert.deepEqual(verifyBearerToken({ headers: { authorization: `Bearer ${token}` } }, undefined), { ok: false, reason: 'missing_secret' });
  });
});
