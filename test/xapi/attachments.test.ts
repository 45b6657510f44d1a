import { createHash, createSign, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { statementOf, useLrs } from './xapi-client.js';

/** A key and self-signed certificate made for these tests only. */
const KEY = readFileSync(new URL('./fixtures/test-signer.key.pem', import.meta.url), 'utf8');
const CERT = new X509Certificate(readFileSync(new URL('./fixtures/test-signer.cert.pem', import.meta.url)));
const SIGNATURE_USAGE = 'http://adlnet.gov/expapi/attachments/signature';

const sha256 = (content: Buffer | string) => createHash('sha256').update(content).digest('hex');

interface Part {
  readonly headers: Record<string, string>;
  readonly body: Buffer | string;
}

function multipart(parts: readonly Part[], boundary = 'xapi-boundary-1'): { body: Buffer; contentType: string } {
  const chunks = parts.flatMap((part) => [
    Buffer.from(`--${boundary}\r\n${Object.entries(part.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`),
    Buffer.from(part.body),
    Buffer.from('\r\n'),
  ]);
  return { body: Buffer.concat([...chunks, Buffer.from(`--${boundary}--\r\n`)]), contentType: `multipart/mixed; boundary=${boundary}` };
}

/** A compact JWS of `payload` signed with the test key, with the certificate in x5c unless told otherwise. */
function jws(payload: unknown, alg = 'RS256', withCertificate = true): string {
  const header = { alg, ...(withCertificate ? { x5c: [CERT.raw.toString('base64')] } : {}) };
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode(header)}.${encode(payload)}`;
  const hash = { RS256: 'RSA-SHA256', RS384: 'RSA-SHA384', RS512: 'RSA-SHA512' }[alg] ?? 'RSA-SHA256';
  return `${signingInput}.${createSign(hash).update(signingInput).sign(KEY).toString('base64url')}`;
}

const attachmentOf = (content: string, usageType = 'https://books.example.test/usage/notes', contentType = 'text/plain') => ({
  usageType,
  display: { 'en-US': 'Notes' },
  contentType,
  length: Buffer.byteLength(content),
  sha2: sha256(content),
});

describe('attachments and signed statements', () => {
  const lrs = useLrs();

  const send = (parts: readonly Part[]) => {
    const { body, contentType } = multipart(parts);
    return lrs.client.request({ method: 'POST', url: '/xapi/statements', body, headers: { 'content-type': contentType } });
  };
  const statementPart = (statements: unknown): Part => ({ headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(statements) });
  const filePart = (content: string, contentType = 'text/plain'): Part => ({
    headers: { 'Content-Type': contentType, 'Content-Transfer-Encoding': 'binary', 'X-Experience-API-Hash': sha256(content) },
    body: content,
  });
  const counts = async () => ({
    statements: await lrs.t.db.count('SELECT count(*) AS n FROM xapi_statements'),
    attachments: await lrs.t.db.count('SELECT count(*) AS n FROM xapi_attachments'),
  });

  it('a statement with an attachment part is stored with its bytes, and GET ?attachments=true answers them as multipart/mixed', async () => {
    const notes = 'Chapter 1 notes: ünïcode and bytes';
    const statement = statementOf({ attachments: [attachmentOf(notes)] });
    const response = await send([statementPart(statement), filePart(notes)]);
    expect(response.statusCode).toBe(200);
    expect(await counts()).toEqual({ statements: 1, attachments: 1 });

    const got = await lrs.client.request({ method: 'GET', url: `/xapi/statements?statementId=${statement.id}&attachments=true` });
    expect(got.statusCode).toBe(200);
    const boundary = /boundary=([^;]+)/.exec(String(got.headers['content-type']))![1]!;
    expect(got.headers['content-type']).toMatch(/^multipart\/mixed/);
    const parts = got.rawPayload.toString('utf8').split(`--${boundary}`).slice(1, -1);
    expect(parts).toHaveLength(2);
    expect(JSON.parse(parts[0]!.split('\r\n\r\n')[1]!).id).toBe(statement.id);
    expect(parts[1]).toContain(`X-Experience-API-Hash: ${sha256(notes)}`);
    expect(parts[1]!.split('\r\n\r\n')[1]!.replace(/\r\n$/, '')).toBe(notes);
  });

  it('a signed statement whose JWS verifies against its x5c certificate is accepted, for RS256, RS384 and RS512', async () => {
    for (const alg of ['RS256', 'RS384', 'RS512']) {
      const unsigned = statementOf();
      const signature = jws(unsigned, alg);
      const signed = { ...unsigned, attachments: [attachmentOf(signature, SIGNATURE_USAGE, 'application/octet-stream')] };
      const response = await send([statementPart(signed), filePart(signature, 'application/octet-stream')]);
      expect(response.statusCode, alg).toBe(200);
    }
    expect(await counts()).toEqual({ statements: 3, attachments: 3 });
  });

  it.each([
    ['a JWS signed with another algorithm', (s: Record<string, unknown>) => jws(s, 'HS256')],
    ['a JWS whose payload is another statement', (s: Record<string, unknown>) => jws({ ...s, verb: { id: 'http://adlnet.gov/expapi/verbs/failed' } })],
    ['a JWS that is not one', () => 'not-a-jws'],
    ['a JWS whose signature does not match its certificate', (s: Record<string, unknown>) => `${jws(s).slice(0, -8)}AAAAAAAA`],
  ])('a signed statement with %s is a 400 and nothing is stored', async (_title, sign) => {
    const unsigned = statementOf();
    const signature = sign(unsigned);
    const signed = { ...unsigned, attachments: [attachmentOf(signature, SIGNATURE_USAGE, 'application/octet-stream')] };
    const response = await send([statementPart(signed), filePart(signature, 'application/octet-stream')]);
    expect(response.statusCode).toBe(400);
    expect(await counts()).toEqual({ statements: 0, attachments: 0 });
  });

  it.each([
    ['a part whose content does not match its hash', () => {
      const statement = statementOf({ attachments: [attachmentOf('expected')] });
      return [statementPart(statement), { ...filePart('expected'), body: 'tampered' }];
    }],
    ['an attachment without a fileUrl and without its part', () => [statementPart(statementOf({ attachments: [attachmentOf('missing')] }))]],
    ['a part no statement names', () => [statementPart(statementOf()), filePart('stray')]],
    ['a signature attachment that is not application/octet-stream', () => {
      const unsigned = statementOf();
      const signature = jws(unsigned);
      return [statementPart({ ...unsigned, attachments: [attachmentOf(signature, SIGNATURE_USAGE, 'text/plain')] }), filePart(signature)];
    }],
    ['a first part that is not JSON', () => [{ headers: { 'Content-Type': 'text/plain' }, body: 'hello' }]],
  ] as const)('%s is a 400 and nothing is stored', async (_title, build) => {
    const response = await send(build() as Part[]);
    expect(response.statusCode).toBe(400);
    expect(await counts()).toEqual({ statements: 0, attachments: 0 });
  });

  it('an attachment given by fileUrl needs no part', async () => {
    const statement = statementOf({ attachments: [{ ...attachmentOf('remote'), fileUrl: 'https://files.example.test/remote.txt' }] });
    expect((await lrs.client.post(statement)).statusCode).toBe(200);
    expect(await counts()).toEqual({ statements: 1, attachments: 0 });
  });
});
