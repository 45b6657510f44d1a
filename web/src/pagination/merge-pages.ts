/**
 * Flattens the pages of a cursor-paginated list into one list, in page order, keeping the first
 * copy of any item that shows up twice (a list can shift between fetching two pages).
 */
export function mergePages<Page, Item>(
  pages: readonly Page[] | undefined,
  itemsOf: (page: Page) => readonly Item[],
  keyOf: (item: Item) => string | number,
): Item[] {
  const seen = new Set<string | number>();
  const merged: Item[] = [];
  for (const page of pages ?? []) {
    for (const item of itemsOf(page)) {
      const key = keyOf(item);
      if (seen.has(key)) continue;
      seen.add(key);
      merged.push(item);
    }
  }
  return merged;
}

/** The `getNextPageParam` for every list of the API: the page's cursor, or no more pages. */
export function nextCursorOf(page: { readonly nextCursor: string | null }): string | undefined {
  return page.nextCursor ?? undefined;
}
