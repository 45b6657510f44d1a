import { describe, expect, it } from 'vitest';
import type { AttentionItemDto } from '../api/toolkit-types.js';
import { groupByReader } from './attention-groups.js';

const reader = (id: number) => ({ id, name: 'Same Name', email: `r${id}@example.test`, role: 'reader' as const, createdAt: '2026-01-01T00:00:00.000Z', lastActiveAt: null });
const item = (id: number, readerId: number, since: string, reason: AttentionItemDto['reason']): AttentionItemDto => ({
  id,
  reader: reader(readerId),
  reason,
  chapterId: reason === 'inactive' ? null : 'c1',
  since,
  state: 'open',
  claimedBy: null,
  claimedAt: null,
  resolvedBy: null,
  resolvedAt: null,
  note: null,
});

describe('the queue grouped by reader', () => {
  it('gives one row per reader, by their oldest item, with every reason of theirs', () => {
    const groups = groupByReader([
      item(1, 7, '2026-03-03T00:00:00.000Z', 'stuck'),
      item(2, 8, '2026-03-01T00:00:00.000Z', 'inactive'),
      item(3, 7, '2026-03-02T00:00:00.000Z', 'low_score'),
    ]);
    expect(groups.map((g) => [g.reader.id, g.items.map((i) => i.id)])).toEqual([
      [8, [2]],
      [7, [3, 1]],
    ]);
  });
});
