import type { AttentionItemDto } from '../api/toolkit-types.js';
import type { UserDto } from '../api/types.js';

/** One reader's open items, for the queue's one-row-per-reader view. */
export interface ReaderAttention {
  readonly reader: UserDto;
  readonly items: AttentionItemDto[];
}

/** Groups items by reader; readers in order of their oldest item, each reader's items oldest first. */
export function groupByReader(items: readonly AttentionItemDto[]): ReaderAttention[] {
  const groups = new Map<number, ReaderAttention>();
  const sorted = [...items].sort((a, b) => a.since.localeCompare(b.since) || a.id - b.id);
  for (const item of sorted) {
    const group = groups.get(item.reader.id);
    if (group === undefined) groups.set(item.reader.id, { reader: item.reader, items: [item] });
    else group.items.push(item);
  }
  return [...groups.values()];
}

/** What an item is about, in words. */
export function reasonText(item: AttentionItemDto, titleOf: (id: string) => string | undefined): string {
  const chapter = item.chapterId === null ? '' : (titleOf(item.chapterId) ?? item.chapterId);
  switch (item.reason) {
    case 'stuck':
      return `Stuck on ${chapter}`;
    case 'low_score':
      return `Low score on ${chapter}`;
    case 'inactive':
      return 'No activity for a while';
  }
}
