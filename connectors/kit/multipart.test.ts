import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import busboy from 'busboy';
import { MappingError } from './errors.ts';
import { headerParams, parseMultipart } from './multipart.ts';
import { parseRequest } from './request.ts';

const CT = 'multipart/form-data; boundary=xYzZY';

function form(parts: Array<{ headers: string[]; body: Buffer | string }>, boundary = 'xYzZY'): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n${p.headers.join('\r\n')}\r\n\r\n`), Buffer.isBuffer(p.body) ? p.body : Buffer.from(p.body), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

const field = (name: string, body: Buffer | string, extra: string[] = []) => ({ headers: [`Content-Disposition: form-data; name="${name}"`, ...extra], body });

/** What busboy (the reference streaming parser) reads from the same bytes: field text and file sizes. */
function viaBusboy(body: Buffer, contentType: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const out: Record<string, unknown> = {};
    const bb = busboy({ headers: { 'content-type': contentType }, defParamCharset: 'utf8' });
    bb.on('field', (name, value) => (out[name] = value));
    bb.on('file', (name, stream, info) => {
      let size = 0;
      stream.on('data', (d: Buffer) => (size += d.length));
      stream.on('end', () => (out[name] = { filename: info.filename, contentType: info.mimeType, size }));
    });
    bb.on('close', () => resolve(out));
    bb.on('error', reject);
    bb.end(body);
  });
}

describe('multipart/form-data', () => {
  it('reads fields and describes files exactly as busboy does', async () => {
    const pdf = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x0d, 0x0a, 0x2d, 0x2d, 0x00, 0xff]);
    const body = form([
      field('from', 'Jane Doe <jane@example.com>'),
      field('subject', 'Leak under the sink — unit 4B'),
      field('text', 'Line one\r\nLine two\r\n'),
      { headers: ['Content-Disposition: form-data; name="attachment1"; filename="photo one.pdf"', 'Content-Type: application/pdf'], body: pdf },
      field('empty', ''),
    ]);
    const ours = parseMultipart(body, CT);
    assert.deepEqual(ours, await viaBusboy(body, CT));
    assert.deepEqual(ours, {
      from: 'Jane Doe <jane@example.com>',
      subject: 'Leak under the sink — unit 4B',
      text: 'Line one\r\nLine two\r\n',
      attachment1: { filename: 'photo one.pdf', contentType: 'application/pdf', size: 10 },
      empty: '',
    });
  });

  it('decodes each text field with its charset: part charset, then the JSON "charsets" map, then _charset_, then UTF-8', () => {
    const latin1 = Buffer.from('Café au lait', 'latin1');
    const body = form([
      field('charsets', '{"text":"iso-8859-1","subject":"UTF-8"}'),
      field('text', latin1),
      field('subject', 'Café'),
      field('html', Buffer.from('<p>Ünïcode</p>', 'latin1'), ['Content-Type: text/html; charset=ISO-8859-1']),
      field('other', 'plain ✓'),
    ]);
    assert.deepEqual(parseMultipart(body, CT), {
      charsets: '{"text":"iso-8859-1","subject":"UTF-8"}',
      text: 'Café au lait',
      subject: 'Café',
      html: '<p>Ünïcode</p>',
      other: 'plain ✓',
    });
    const withFormCharset = form([field('_charset_', 'windows-1252'), field('note', Buffer.from('€5', 'latin1').fill(0x80, 0, 1))]);
    assert.equal(parseMultipart(withFormCharset, CT).note, '€5');
  });

  it('keeps repeated names as a list, ignores parts without a name, and takes RFC 5987 filenames', () => {
    const body = form([
      field('to', 'a@example.com'),
      field('to', 'b@example.com'),
      { headers: ['Content-Disposition: form-data'], body: 'nameless' },
      { headers: [`Content-Disposition: form-data; name="f"; filename="fallback.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9.txt`], body: 'x' },
      { headers: ['Content-Disposition: form-data; name="__proto__"'], body: 'inert' },
    ]);
    const parsed = parseMultipart(body, CT);
    assert.deepEqual(parsed.to, ['a@example.com', 'b@example.com']);
    assert.deepEqual(parsed.f, { filename: 'résumé.txt', contentType: 'application/octet-stream', size: 1 });
    assert.equal(Object.getPrototypeOf(parsed), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(parsed, '__proto__')?.value, 'inert');
  });

  it('accepts a preamble and a quoted boundary', () => {
    const body = Buffer.concat([Buffer.from('This is the preamble.\r\n'), form([field('a', '1')], 'a b:c')]);
    assert.deepEqual(parseMultipart(body, 'multipart/form-data; boundary="a b:c"'), { a: '1' });
  });

  it('refuses a missing boundary, a truncated body and a part without a header/body separator', () => {
    const problems = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        assert.ok(MappingError.is(err), String(err));
        return err.problems[0];
      }
      assert.fail('should have failed');
    };
    assert.match(problems(() => parseMultipart(Buffer.from('x'), 'multipart/form-data'))!, /without a valid boundary/);
    assert.match(problems(() => parseMultipart(Buffer.from('--xYzZY\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue'), CT))!, /ends before its closing boundary/);
    assert.match(problems(() => parseMultipart(Buffer.from('--xYzZY\r\nContent-Disposition: form-data; name="a"\r\n--xYzZY--'), CT))!, /no header\/body separator/);
    assert.match(problems(() => parseMultipart(Buffer.from('no delimiter here'), CT))!, /boundary not found/);
  });

  it('is what parseRequest gives manifests for multipart bodies', () => {
    const parsed = parseRequest({ method: 'post', url: 'https://h/r?k=1', headers: { 'Content-Type': CT }, body: form([field('a', '1')]) });
    assert.deepEqual(parsed.body, { a: '1' });
    assert.equal(parsed.contentType, 'multipart/form-data');
  });

  it('parses header parameters with quoted strings and escapes', () => {
    assert.deepEqual(headerParams('form-data; name="a\\"b"; filename=plain.txt'), { value: 'form-data', params: { name: 'a"b', filename: 'plain.txt' } });
    assert.deepEqual(headerParams('text/plain'), { value: 'text/plain', params: {} });
  });
});
