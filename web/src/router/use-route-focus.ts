import { useEffect, useRef } from 'react';

/**
 * After a client-side navigation, moves focus to the new page's h1 and scrolls to the top, as a
 * page load would; screen readers then announce where the user has arrived. The first render is
 * left alone, like any freshly loaded page.
 */
export function useRouteFocus(pathname: string): void {
  const previous = useRef<string | null>(null);
  useEffect(() => {
    const isFirst = previous.current === null;
    const changed = previous.current !== pathname;
    previous.current = pathname;
    if (isFirst || !changed) return;
    window.scrollTo(0, 0);
    const heading = document.querySelector<HTMLElement>('main h1');
    (heading ?? document.getElementById('main'))?.focus();
  }, [pathname]);
}
