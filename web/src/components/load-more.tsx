import { useEffect, useRef } from 'react';

/**
 * Keeps keyboard focus useful when "Load more" appends items: focus moves to the first new item,
 * because the button itself may disappear on the last page. List items need tabIndex={-1}.
 */
export function useFocusFirstNewItem<ListElement extends HTMLElement>(itemCount: number) {
  const listRef = useRef<ListElement>(null);
  const pendingIndex = useRef<number | null>(null);
  useEffect(() => {
    const index = pendingIndex.current;
    if (index === null || itemCount <= index) return;
    pendingIndex.current = null;
    const item = listRef.current?.children.item(index);
    if (item instanceof HTMLElement) item.focus();
  }, [itemCount]);
  const rememberCount = () => {
    pendingIndex.current = itemCount;
  };
  return { listRef, rememberCount };
}

interface LoadMoreButtonProps {
  readonly label: string;
  readonly hasMore: boolean;
  readonly isLoading: boolean;
  readonly onLoadMore: () => void;
}

/** The button under a paginated list; gone on the last page. */
export function LoadMoreButton({ label, hasMore, isLoading, onLoadMore }: LoadMoreButtonProps) {
  if (!hasMore) return null;
  return (
    <div className="load-more">
      <button type="button" className="button button-secondary" onClick={onLoadMore} disabled={isLoading} aria-disabled={isLoading}>
        {isLoading ? 'Loading…' : label}
      </button>
    </div>
  );
}
