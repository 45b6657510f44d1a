import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock, LrsCredentialStore, XapiDocumentStore, XapiStatementStore } from '../../src/domain/index.js';
import { LRS_SECURITY_SCHEME } from '../../src/xapi/xapi-openapi.js';
import { xapiPlugin } from '../../src/xapi/xapi-plugin.js';
import { useLrs } from './xapi-client.js';

interface Operation {
  readonly operationId: string;
  readonly security: Record<string, string[]>[];
  readonly parameters?: { name: string; in: string; required?: boolean }[];
  readonly responses: Record<string, unknown>;
}
type Document = {
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, Record<string, unknown>> };
};

/** The routes the LRS plugin registers under /xapi, as Fastify reports them, "METHOD /path". */
async function lrsRoutes(): Promise<string[]> {
  const app = Fastify();
  const routes: string[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push(`${method} ${route.url}`);
  });
  const unused = {} as never;
  await app.register(xapiPlugin, {
    prefix: '/xapi',
    statements: unused as XapiStatementStore,
    documents: unused as XapiDocumentStore,
    credentials: unused as LrsCredentialStore,
    clock: unused as Clock,
    bodyLimitBytes: 1024,
  });
  await app.ready();
  await app.close();
  return routes;
}

describe('the OpenAPI document describes the LRS', () => {
  const lrs = useLrs('all');
  let document: Document;
  let registered: string[];
  beforeAll(async () => {
    registered = await lrsRoutes();
  });
  beforeAll(async () => {
    document = (await lrs.t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
  });

  const xapiOperations = () =>
    Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/xapi'))
      .flatMap(([path, operations]) => Object.entries(operations).map(([method, operation]) => ({ path, method: method.toUpperCase(), operation })));

  it('lists exactly the paths the plugin registers', () => {
    const registeredPaths = new Set(registered.map((route) => route.split(' ')[1]));
    expect(registeredPaths.size).toBeGreaterThanOrEqual(7);
    expect(new Set(xapiOperations().map((o) => o.path))).toEqual(registeredPaths);
  });

  it('documents each method a route serves, and every other registered method answers 405', async () => {
    const documented = new Set(xapiOperations().map((o) => `${o.method} ${o.path}`));
    for (const route of documented) expect(registered, `${route} is documented but not registered`).toContain(route);
    const undocumented = registered.filter((route) => !documented.has(route));
    for (const route of undocumented) {
      const [method, path] = route.split(' ') as [string, string];
      // HEAD is GET without a body (Fastify adds it beside each GET).
      if (method === 'HEAD') {
        expect(documented, `${route} has no documented GET`).toContain(`GET ${path}`);
        continue;
      }
      const response = await lrs.client.request({ method: method as 'PUT', url: path, ...(method === 'GET' ? {} : { body: {} }) });
      expect(response.statusCode, `${route} is registered, not documented, and answers ${response.statusCode}`).toBe(405);
    }
    expect(undocumented).toEqual(
      expect.arrayContaining(['DELETE /xapi/statements', 'POST /xapi/activities', 'PUT /xapi/agents', 'HEAD /xapi/statements']),
    );
  });

  it('puts HTTP Basic on every /xapi operation but /xapi/about, which is public', () => {
    expect(document.components.securitySchemes[LRS_SECURITY_SCHEME]).toMatchObject({ type: 'http', scheme: 'basic' });
    for (const { path, method, operation } of xapiOperations()) {
      const expected = path === '/xapi/about' ? [] : [{ [LRS_SECURITY_SCHEME]: [] }];
      expect(operation.security, `${method} ${path}`).toEqual(expected);
      expect(operation.operationId).toMatch(/^xapi[A-Z]/);
      if (path !== '/xapi/about') {
        expect(operation.parameters).toContainEqual(expect.objectContaining({ name: 'X-Experience-API-Version', in: 'header', required: true }));
        expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['400', '401']));
      }
    }
  });

  it('names every statement query parameter, and the LRS knows each one', async () => {
    const get = document.paths['/xapi/statements']!.get!;
    const names = get.parameters!.filter((p) => p.in === 'query').map((p) => p.name);
    expect(names.sort()).toEqual(
      [
        'activity',
        'agent',
        'ascending',
        'attachments',
        'format',
        'limit',
        'more',
        'registration',
        'related_activities',
        'related_agents',
        'since',
        'statementId',
        'until',
        'verb',
        'voidedStatementId',
      ].sort(),
    );
    const unknown = await lrs.client.request({ method: 'GET', url: '/xapi/statements?colour=red' });
    expect(unknown.statusCode).toBe(400);
    for (const name of names) {
      const response = await lrs.client.request({ method: 'GET', url: `/xapi/statements?${name}=%00` });
      expect(response.statusCode, name).toBe(400);
      expect(response.json<{ error: string }>().error, name).not.toBe(unknown.json<{ error: string }>().error);
    }
  });

  it('describes documents with their ETag preconditions, and statements with multipart/mixed and their headers', () => {
    for (const path of ['/xapi/activities/state', '/xapi/activities/profile', '/xapi/agents/profile']) {
      for (const method of ['put', 'post', 'delete']) {
        const headers = document.paths[path]![method]!.parameters!.filter((p) => p.in === 'header').map((p) => p.name);
        expect(headers, `${method} ${path}`).toEqual(expect.arrayContaining(['If-Match', 'If-None-Match']));
        expect(Object.keys(document.paths[path]![method]!.responses)).toContain('412');
      }
    }
    const statements = JSON.stringify(document.paths['/xapi/statements']);
    for (const word of ['multipart/mixed', 'X-Experience-API-Consistent-Through', 'X-Experience-API-Hash']) expect(statements).toContain(word);
  });
});
