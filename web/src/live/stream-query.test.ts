import { describe, expect, it } from 'vitest';
import { liveStreamQuery } from './stream-query.js';

describe('liveStreamQuery', () => {
  it("asks for one reader's events on that reader's page", () => {
    expect(liveStreamQuery('/readers/42')).toBe('?reader=42');
  });

  it('asks for no activity events on the dashboard and every other page', () => {
    for (const path of ['/', '/dashboard', '/readers', '/program', '/readers/not-a-number']) {
      expect(liveStreamQuery(path)).toBe('?activity=none');
    }
  });
});
