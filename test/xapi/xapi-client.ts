import type { LightMyRequestResponse } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { createLrsCredential } from '../../src/xapi/lrs-credentials.js';
import { buildTestApp, type TestApp } from '../support/test-app.js';

/** An LRS client of a test app: a fresh credential and requests that carry it. */
export interface XapiClient {
  readonly key: string;
  readonly secret: string;
  readonly credentialId: number;
  readonly authorization: string;
  request(options: XapiRequestOptions): Promise<LightMyRequestResponse>;
  /** POSTs statements (JSON) and returns the response. */
  post(statements: unknown): Promise<LightMyRequestResponse>;
  /** GETs /xapi/statements with these parameters and returns the parsed body (expects 200). */
  query(params: Record<string, string>): Promise<{ statements: Record<string, unknown>[]; more: string }>;
}

export interface XapiRequestOptions {
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'HEAD';
  readonly url: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** X-Experience-API-Version; 2.0.0 unless given, none when null. */
  readonly version?: string | null;
}

export async function xapiClient(t: TestApp, name = 'Test player'): Promise<XapiClient> {
  const { credential, secret } = await createLrsCredential(t.store.lrsCredentials, name);
  const authorization = `Basic ${Buffer.from(`${credential.key}:${secret}`).toString('base64')}`;
  const request = (options: XapiRequestOptions) => {
    const headers: Record<string, string> = { authorization, ...options.headers };
    const version = options.version === undefined ? '2.0.0' : options.version;
    if (version !== null) headers['x-experience-api-version'] = version;
    let payload: string | Buffer | undefined;
    if (options.body !== undefined) {
      payload = Buffer.isBuffer(options.body) || typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    return t.app.inject({ method: options.method, url: options.url, headers, ...(payload === undefined ? {} : { payload }) });
  };
  return {
    key: credential.key,
    secret,
    credentialId: credential.id,
    authorization,
    request,
    post: (statements) => request({ method: 'POST', url: '/xapi/statements', body: statements }),
    async query(params) {
      const response = await request({ method: 'GET', url: `/xapi/statements?${new URLSearchParams(params).toString()}` });
      if (response.statusCode !== 200) throw new Error(`query failed: ${response.statusCode} ${response.body}`);
      return response.json();
    },
  };
}

/** A suite's test app and its LRS client, as useLrs keeps them. */
export interface LrsFixture {
  readonly t: TestApp;
  readonly client: XapiClient;
}

/**
 * A fresh test app and LRS client for each test of the suite (`'each'`), or one for all of its
 * tests (`'all'`), closed after them. Read `t` and `client` inside hooks and tests only.
 */
export function useLrs(scope: 'each' | 'all' = 'each'): LrsFixture {
  let current: { t: TestApp; client: XapiClient } | null = null;
  const [before, after] = scope === 'each' ? [beforeEach, afterEach] : [beforeAll, afterAll];
  before(async () => {
    const t = await buildTestApp();
    current = { t, client: await xapiClient(t) };
  });
  after(async () => {
    await current?.t.close();
    current = null;
  });
  const get = () => {
    if (current === null) throw new Error('useLrs: the app exists only inside hooks and tests.');
    return current;
  };
  return {
    get t() {
      return get().t;
    },
    get client() {
      return get().client;
    },
  };
}

/** A valid statement with a fresh id, changed by `overrides`. */
export function statementOf(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: crypto.randomUUID(),
    actor: { objectType: 'Agent', name: 'Ada', mbox: 'mailto:ada@example.test' },
    verb: { id: 'http://adlnet.gov/expapi/verbs/experienced', display: { 'en-US': 'experienced' } },
    object: { objectType: 'Activity', id: 'https://books.example.test/chapter-1' },
    ...overrides,
  };
}
