import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operationIdOf } from '../../src/http/app.js';
import { buildTestApp, type TestApp } from '../support/test-app.js';

const run = promisify(execFile);
const REDOCLY = join(process.cwd(), 'node_modules', '.bin', 'redocly');

describe('the OpenAPI document, for client generators', () => {
  let t: TestApp;
  let document: { servers?: unknown[]; paths: Record<string, Record<string, { operationId?: string }>> };
  beforeAll(async () => {
    t = await buildTestApp();
    document = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
  });
  afterAll(async () => t.close());

  it('names servers and gives every operation a distinct operationId', () => {
    expect(document.servers).toEqual([expect.objectContaining({ url: '/' })]);
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ at: `${method} ${path}`, id: operation.operationId })),
    );
    expect(operations.length).toBeGreaterThan(20);
    expect(operations.filter((o) => typeof o.id !== 'string' || o.id === '')).toEqual([]);
    expect(new Set(operations.map((o) => o.id)).size).toBe(operations.length);
    expect(operations).toContainEqual({ at: 'get /api/analytics/chapters', id: 'getChapterFunnel' });
  });

  it('derives a readable operationId for a route that names none', () => {
    expect(operationIdOf('GET', '/api/readers/:id/progress')).toBe('getReadersByIdProgress');
    expect(operationIdOf('PUT', '/api/me/milestones/:chapterId')).toBe('putMeMilestonesByChapterId');
    expect(operationIdOf('GET', '/api/export/progress.csv')).toBe('getExportProgressCsv');
  });

  it('passes redocly lint with no errors', async () => {
    const file = join(t.dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(document));
    // Exit code 0 means no errors (warnings are allowed); a failure rejects with the report.
    const { stdout, stderr } = await run(REDOCLY, ['lint', file, '--format', 'stylish'], {
      timeout: 60_000,
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    });
    expect(`${stdout}\n${stderr}`).not.toMatch(/\berror\b/i);
  }, 90_000);
});
