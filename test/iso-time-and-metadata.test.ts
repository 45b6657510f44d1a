import { describe, expect, it } from 'vitest';
import { metadataJson, toIsoTime, toIsoTimeOrNull } from '../src/domain/index.js';

describe('toIsoTime (keeps its last answer)', () => {
  it('answers every time right when times repeat and alternate', () => {
    const times = [0, 0, 1_796_165_101_808, 1_796_165_101_808, 1, 0, 1_796_165_101_809, 1_796_165_101_808, -1];
    for (const time of times) expect(toIsoTime(time)).toBe(new Date(time).toISOString());
    expect(toIsoTimeOrNull(null)).toBeNull();
  });
});

describe('metadataJson (serialized once per object)', () => {
  it('is the JSON text of the metadata, the same for the same object and separate per object', () => {
    const a = { page: 3, note: 'é "quoted"' };
    const b = { page: 3, note: 'é "quoted"', extra: [1, { deep: true }] };
    expect(metadataJson(a)).toBe(JSON.stringify(a));
    expect(metadataJson(a)).toBe(JSON.stringify(a));
    expect(metadataJson(b)).toBe(JSON.stringify(b));
    expect(metadataJson({ page: 4 })).toBe('{"page":4}');
  });
});
