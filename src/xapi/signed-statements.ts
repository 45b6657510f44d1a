import { createVerify, X509Certificate } from 'node:crypto';
import { comparableStatement } from './statement-records.js';
import { badRequest } from './xapi-error.js';
import { isObject, type JsonObject } from './xapi-values.js';

const ALGORITHMS: Record<string, string> = { RS256: 'RSA-SHA256', RS384: 'RSA-SHA384', RS512: 'RSA-SHA512' };

/**
 * Checks a statement's JWS signature (compact serialization, as its signature attachment holds
 * it): RS256, RS384 or RS512; its payload is the statement as signed (compared without the
 * properties the LRS sets and without attachments); verified against the first certificate of
 * `x5c` when the header carries one. Throws 400.
 */
export function verifySignature(statement: JsonObject, jws: string): void {
  const parts = jws.trim().split('.');
  if (parts.length !== 3 || parts.some((part) => !/^[A-Za-z0-9_-]*$/.test(part))) throw badRequest('The signature is not a JWS in compact serialization.');
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
  const header = decodeJson(encodedHeader, 'header');
  const algorithm = typeof header.alg === 'string' ? ALGORITHMS[header.alg] : undefined;
  if (algorithm === undefined) throw badRequest('A statement signature must use RS256, RS384 or RS512.');
  const payload = decodeJson(encodedPayload, 'payload');
  if (signedContent(payload) !== signedContent(statement)) throw badRequest('The signature\'s payload is not the statement.');
  if (Array.isArray(header.x5c) && typeof header.x5c[0] === 'string') {
    let key;
    try {
      key = new X509Certificate(Buffer.from(header.x5c[0], 'base64')).publicKey;
    } catch {
      key = undefined;
    }
    if (key === undefined) throw badRequest('The signature\'s x5c certificate cannot be read.');
    const ok = createVerify(algorithm).update(`${encodedHeader}.${encodedPayload}`).verify(key, Buffer.from(encodedSignature, 'base64url'));
    if (!ok) throw badRequest('The statement\'s signature does not verify against its certificate.');
  }
}

function decodeJson(part: string, name: string): JsonObject {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    if (isObject(value)) return value;
  } catch {
    // answered below
  }
  throw badRequest(`The signature's ${name} is not a JSON object.`);
}

function signedContent(statement: JsonObject): string {
  // The id may be set by the LRS after signing; attachments carry the signature itself.
  const { attachments: _attachments, id: _id, ...rest } = statement;
  return comparableStatement(rest);
}
