import type { FastifyRequest } from 'fastify';
import type { LrsCredential } from '../domain/index.js';
import { badRequest, XapiError } from './xapi-error.js';
import type { XapiVersion } from './xapi-values.js';

/** Headers the alternate request syntax carries as form fields. */
const FORM_HEADERS = ['authorization', 'x-experience-api-version', 'content-type', 'content-length', 'if-match', 'if-none-match'];

/** One request to the LRS, after the alternate request syntax (1.0.x) is unfolded. */
export interface XapiRequest {
  readonly method: string;
  /** Resource parameters (query string, or form fields of the alternate syntax). */
  readonly params: Readonly<Record<string, string>>;
  header(name: string): string | undefined;
  readonly body: Buffer | undefined;
  readonly version: XapiVersion;
  readonly credential: LrsCredential;
  /** The path of the LRS's root, such as `/xapi`, for `more` links. */
  readonly root: string;
}

/** Checks an HTTP Basic Authorization header; null when it names no live credential. */
export type CredentialCheck = (authorization: string | undefined) => Promise<LrsCredential | null>;

/** The version a request's X-Experience-API-Version asks for, or null when it names none this LRS speaks. */
export function versionOf(header: string | undefined): XapiVersion | null {
  if (header === undefined) return null;
  if (/^1\.0(\.\d+)?$/.test(header.trim())) return '1.0.3';
  if (/^2\.0(\.\d+)?$/.test(header.trim())) return '2.0.0';
  return null;
}

/**
 * Reads a request: unfolds the alternate request syntax (a POST with `?method=` and a form body;
 * 1.0.x only), authenticates (401), checks the version header (400) and rejects repeated
 * parameters (400).
 */
export async function readXapiRequest(
  request: FastifyRequest,
  checkCredential: CredentialCheck,
  root: string,
  spokenVersions: Map<number, XapiVersion>,
): Promise<XapiRequest> {
  const query = request.query as Record<string, string | string[]>;
  let method = request.method === 'HEAD' ? 'GET' : request.method;
  let params: Record<string, string> = {};
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  let body = Buffer.isBuffer(request.body) ? request.body : undefined;
  for (const [name, value] of Object.entries(query)) {
    if (Array.isArray(value)) throw badRequest(`The parameter ${name} is given more than once.`);
    params[name] = value;
  }
  const alternate = params.method !== undefined;
  if (alternate) ({ method, params, body } = unfoldAlternateSyntax(request.method, params, headers, body));
  const credential = await checkCredential(headers.authorization);
  if (!credential) throw new XapiError(401, 'Send an LRS credential with HTTP Basic authentication.');
  const version = versionOf(headers['x-experience-api-version']);
  if (version === null) {
    // The answer still names a version: the one this credential last spoke, else the newest.
    const spoken = spokenVersions.get(credential.id) ?? '2.0.0';
    throw new XapiError(400, 'Send X-Experience-API-Version: 1.0.x or 2.0.x.', { 'x-experience-api-version': spoken });
  }
  spokenVersions.set(credential.id, version);
  if (alternate && version === '2.0.0') throw badRequest('xAPI 2.0 has no alternate request syntax.');
  return { method, params, header: (name) => headers[name.toLowerCase()], body, version, credential, root };
}

function unfoldAlternateSyntax(
  httpMethod: string,
  query: Record<string, string>,
  headers: Record<string, string | undefined>,
  body: Buffer | undefined,
): { method: string; params: Record<string, string>; body: Buffer | undefined } {
  const method = query.method!.toUpperCase();
  if (httpMethod !== 'POST') throw badRequest('The alternate request syntax is a POST.');
  if (Object.keys(query).length > 1) throw badRequest('With the alternate request syntax, every parameter but method goes in the form body.');
  if (!['GET', 'PUT', 'POST', 'DELETE'].includes(method)) throw badRequest('The method parameter must be GET, PUT, POST or DELETE.');
  if (!/^application\/x-www-form-urlencoded/i.test(headers['content-type'] ?? '')) {
    throw badRequest('The alternate request syntax sends its form as application/x-www-form-urlencoded.');
  }
  const form = new URLSearchParams((body ?? Buffer.alloc(0)).toString('utf8'));
  const params: Record<string, string> = {};
  let content: Buffer | undefined;
  // The form's own type is not the content's: JSON unless a Content-Type field says otherwise.
  headers['content-type'] = 'application/json';
  for (const [name, value] of form) {
    const lower = name.toLowerCase();
    if (FORM_HEADERS.includes(lower)) headers[lower] = value;
    else if (name === 'content') content = Buffer.from(value, 'utf8');
    else params[name] = value;
  }
  if ((method === 'PUT' || method === 'POST') && content === undefined) throw badRequest('The alternate request syntax sends its body as the content field.');
  return { method, params, body: content };
}
