import { randomBytes } from 'node:crypto';
import { badRequest } from './xapi-error.js';

/** One part of a multipart/mixed body: its headers (lower-case names) and bytes. */
export interface MultipartPart {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** The boundary of a multipart content type, or throws 400. */
export function boundaryOf(contentType: string): string {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw badRequest('A multipart/mixed request must name its boundary.');
  return boundary;
}

/** Splits a multipart/mixed body into its parts (RFC 2046). Throws 400 when it is malformed. */
export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let start = body.indexOf(delimiter);
  if (start < 0) throw badRequest('The multipart body holds no part.');
  for (;;) {
    let cursor = start + delimiter.length;
    if (body.subarray(cursor, cursor + 2).toString() === '--') break;
    cursor = skipLineEnd(body, cursor);
    const next = body.indexOf(delimiter, cursor);
    if (next < 0) throw badRequest('The multipart body does not close.');
    let end = next;
    if (body[end - 1] === 0x0a) end--;
    if (body[end - 1] === 0x0d) end--;
    parts.push(parsePart(body.subarray(cursor, end)));
    start = next;
  }
  return parts;
}

function skipLineEnd(body: Buffer, at: number): number {
  let cursor = at;
  while (body[cursor] === 0x20 || body[cursor] === 0x09) cursor++;
  if (body[cursor] === 0x0d) cursor++;
  if (body[cursor] === 0x0a) cursor++;
  return cursor;
}

function parsePart(part: Buffer): MultipartPart {
  let split = part.indexOf('\r\n\r\n');
  let gap = 4;
  if (split < 0) {
    split = part.indexOf('\n\n');
    gap = 2;
  }
  if (split < 0) return { headers: {}, body: part };
  const headers: Record<string, string> = {};
  for (const line of part.subarray(0, split).toString('utf8').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body: part.subarray(split + gap) };
}

/** A multipart/mixed body of these parts, and its content type. */
export function buildMultipart(parts: readonly { headers: Record<string, string>; body: Buffer }[]): { contentType: string; body: Buffer } {
  const boundary = randomBytes(16).toString('hex');
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const head = Object.entries(part.headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    chunks.push(Buffer.from(`--${boundary}\r\n${head}\r\n`), part.body, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { contentType: `multipart/mixed; boundary=${boundary}`, body: Buffer.concat(chunks) };
}
