import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/test-app.js';

describe('test app', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await buildTestApp();
  });
  afterEach(async () => t.close());

  it('signs a reader in and answers /api/me with that reader', async () => {
    const reader = await t.signIn('reader', 'a@example.test', 'Ann');
    const response = await t.app.inject({ method: 'GET', url: '/api/me', headers: reader.headers });
    expect(response.statusCode).toBe(200);
    expect(response.json().user).toMatchObject({ id: reader.user.id, email: 'a@example.test', role: 'reader' });
  });
});
