import { describe, expect, it } from 'vitest';
import { mergePages, nextCursorOf } from './merge-pages.js';

interface EventsPage {
  events: { id: number; label: string }[];
  nextCursor: string | null;
}

const eventsOf = (page: EventsPage) => page.events;
const idOf = (event: { id: number }) => event.id;

describe('mergePages', () => {
  it('joins pages in order', () => {
    const pages: EventsPage[] = [
      { events: [{ id: 9, label: 'a' }, { id: 8, label: 'b' }], nextCursor: 'c1' },
      { events: [{ id: 7, label: 'c' }], nextCursor: null },
    ];
    expect(mergePages(pages, eventsOf, idOf).map(idOf)).toEqual([9, 8, 7]);
  });

  it('keeps the first copy of an item that appears on two pages', () => {
    const pages: EventsPage[] = [
      { events: [{ id: 9, label: 'first' }, { id: 8, label: 'b' }], nextCursor: 'c1' },
      { events: [{ id: 8, label: 'again' }, { id: 7, label: 'c' }], nextCursor: null },
    ];
    const merged = mergePages(pages, eventsOf, idOf);
    expect(merged.map(idOf)).toEqual([9, 8, 7]);
    expect(merged[1]?.label).toBe('b');
  });

  it('gives an empty list before anything has loaded', () => {
    expect(mergePages<EventsPage, EventsPage['events'][number]>(undefined, eventsOf, idOf)).toEqual([]);
  });
});

describe('nextCursorOf', () => {
  it('passes the cursor on and ends the list on null', () => {
    expect(nextCursorOf({ nextCursor: 'abc' })).toBe('abc');
    expect(nextCursorOf({ nextCursor: null })).toBeUndefined();
  });
});
