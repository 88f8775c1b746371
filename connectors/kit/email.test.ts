import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { decodeEncodedWords, htmlToText, parseAddressList, parseHeaderBlock, parseMessageIdList, parseMime } from './email.ts';
import { mapInbound } from './mapping.ts';
import type { Manifest } from './manifest.ts';

describe('email headers', () => {
  it('unfolds, decodes encoded words, lowercases names and keeps the first occurrence', () => {
    const block = [
      'Received: by mx.example.net; Tue, 1 Dec 2026 10:00:00 +0000',
      'Received: by relay.example.org',
      'Subject: =?UTF-8?B?RnVpdGUgc291cyBsJ8Opdmllcg==?=',
      'References: <a1@mail.example.com>',
      '\t<b2@mail.example.com>',
      'From: =?iso-8859-1?Q?Ren=E9e_Dupr=E9?= <renee@example.fr>',
      'Message-ID: <c3@mail.example.com>',
    ].join('\r\n');
    assert.deepEqual(parseHeaderBlock(block), {
      received: 'by mx.example.net; Tue, 1 Dec 2026 10:00:00 +0000',
      subject: "Fuite sous l'évier",
      references: '<a1@mail.example.com> <b2@mail.example.com>',
      from: 'Renée Dupré <renee@example.fr>',
      'message-id': '<c3@mail.example.com>',
    });
    assert.deepEqual(parseHeaderBlock(undefined), {});
    assert.equal(decodeEncodedWords('=?UTF-8?Q?a?= =?UTF-8?Q?b?= c'), 'ab c');
  });

  it('parses address lists: display names, quoted commas, comments, groups', () => {
    assert.deepEqual(parseAddressList('"Doe, Jane" <jane@example.com>, bob@example.org (Bob B), Team: x@example.net, y@example.net;'), [
      { name: 'Doe, Jane', address: 'jane@example.com' },
      { name: 'Bob B', address: 'bob@example.org' },
      { address: 'x@example.net' },
      { address: 'y@example.net' },
    ]);
    assert.deepEqual(parseAddressList('<only@example.com>'), [{ address: 'only@example.com' }]);
    assert.deepEqual(parseAddressList('not an address'), []);
    assert.deepEqual(parseAddressList(undefined), []);
  });

  it('lists message ids with brackets, in header order', () => {
    assert.deepEqual(parseMessageIdList('<a@x> <b@y>\r\n <c@z>'), ['<a@x>', '<b@y>', '<c@z>']);
    assert.deepEqual(parseMessageIdList('a@x'), ['<a@x>']);
    assert.deepEqual(parseMessageIdList(''), []);
  });
});

describe('htmlToText', () => {
  it('keeps the readable text, one block per line, entities decoded', () => {
    const html = '<html><head><style>p{color:red}</style></head><body><p>Hi&nbsp;Sam,</p><p>The <b>plumber</b> is on the way &amp; will call.<br>Thanks &#8212; Acme</p><ul><li>one</li><li>two</li></ul><script>alert(1)</script><!-- x --></body></html>';
    assert.equal(htmlToText(html), 'Hi Sam,\n\nThe plumber is on the way & will call.\nThanks — Acme\n\n- one\n- two');
    assert.equal(htmlToText('<p>&Eacute;t&eacute; &agrave; Caf&#xE9; &unknown; &#0;</p>'), 'Été à Café &unknown; &#0;');
  });
});

describe('parseMime', () => {
  const raw = [
    'From: Jane Doe <jane@example.com>',
    'To: support@parse.example.com',
    'Subject: =?UTF-8?Q?Caf=C3=A9_order?=',
    'Message-ID: <m1@example.com>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="outer"',
    '',
    'This is a multi-part message in MIME format.',
    '--outer',
    'Content-Type: multipart/alternative; boundary=inner',
    '',
    '--inner',
    'Content-Type: text/plain; charset=ISO-8859-1',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'Un caf=E9, s\'il vous pla=EEt. Une ligne tr=',
    '=E8s longue.',
    '--inner',
    'Content-Type: text/html; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('<p>Un café</p>').toString('base64'),
    '--inner--',
    '--outer',
    'Content-Type: image/png; name="leak.png"',
    'Content-Disposition: attachment; filename="leak.png"',
    'Content-Transfer-Encoding: base64',
    'Content-ID: <img1@example.com>',
    '',
    Buffer.alloc(300, 7).toString('base64').replace(/(.{76})/g, '$1\r\n'),
    '--outer--',
    'epilogue',
  ].join('\r\n');

  it('returns the top headers, the first text and html bodies decoded, and attachments described', () => {
    const parsed = parseMime(raw)!;
    assert.equal(parsed.headers.subject, 'Café order');
    assert.equal(parsed.headers['message-id'], '<m1@example.com>');
    assert.equal(parsed.text, "Un café, s'il vous plaît. Une ligne très longue.");
    assert.equal(parsed.html, '<p>Un café</p>');
    assert.deepEqual(parsed.attachments, [{ filename: 'leak.png', contentType: 'image/png', size: 300, contentId: '<img1@example.com>' }]);
  });

  it('reads a single-part message and ignores empty input', () => {
    assert.deepEqual(parseMime('Subject: hi\n\nplain body\n'), { headers: { subject: 'hi' }, text: 'plain body\n', attachments: [] });
    assert.equal(parseMime(''), undefined);
    assert.equal(parseMime(undefined), undefined);
  });
});

describe('kit functions in manifest expressions', () => {
  const manifest: Manifest = {
    inbound: [
      {
        name: 'mail',
        match: '$exists(body.headers)',
        emit: 'message',
        fields: {
          channel: "'email'",
          from: { kind: "'email'", value: '$emailAddress(body.from).address' },
          to: { address: '$parseJson(body.envelope).to[0]' },
          providerMessageId: "'sha256:' & $sha256($messageIds($emailHeaders(body.headers).'message-id')[0])",
          body: '$htmlToText(body.html)',
          email: {
            messageId: "$emailHeaders(body.headers).'message-id'",
            references: "$messageIds($emailHeaders(body.headers).references)",
          },
          metadata: { bad: '$parseJson(body.broken)', none: '$htmlToText(body.missing)' },
        },
      },
    ],
  };

  it('are bound in every evaluation and tolerate absent or malformed input', async () => {
    const body = JSON.stringify({
      headers: 'Message-ID: <m1@example.com>\nReferences: <r1@example.com>',
      from: '"Jane" <jane@example.com>',
      envelope: '{"to":["support@parse.example.com"],"from":"jane@example.com"}',
      html: '<p>Hello</p>',
      broken: '{not json',
    });
    const [event] = await mapInbound(manifest, { method: 'POST', url: 'https://h/r', headers: { 'content-type': 'application/json' }, body: Buffer.from(body) });
    assert.deepEqual(event, {
      kind: 'message',
      channel: 'email',
      from: { kind: 'email', value: 'jane@example.com' },
      to: { address: 'support@parse.example.com' },
      providerMessageId: 'sha256:910f6730af7e84e8f2cd4134d40ed2ab51d29b8b58db919b94832d3104eed63d',
      body: 'Hello',
      media: [],
      email: { messageId: '<m1@example.com>', references: ['<r1@example.com>'] },
    });
  });
});
