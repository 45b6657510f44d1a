import type { SignedInUser, TestApp } from './test-app.js';

/** POST /api/me/activity with about 3 KB of metadata, so writes fill storage quickly (the database-fault suites). */
export const postBulkyActivity = (app: TestApp, reader: SignedInUser, i: number) =>
  app.app.inject({
    method: 'POST',
    url: '/api/me/activity',
    headers: reader.headers,
    payload: { actionType: 'PAGE_VIEW', metadata: { i, filler: 'x'.repeat(3000) } },
  });
