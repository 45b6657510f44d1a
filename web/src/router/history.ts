import { useSyncExternalStore } from 'react';

/** Where the app is: the path and the query string of the browser's URL. */
export interface AppLocation {
  readonly pathname: string;
  readonly search: string;
}

const NAVIGATION_EVENT = 'readpulse:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATION_EVENT, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATION_EVENT, onChange);
  };
}

// useSyncExternalStore compares snapshots by identity, so the href is the snapshot and the
// location object is derived from it.
const currentHref = (): string => window.location.pathname + window.location.search;

/** Moves to another client route through the history API, without a page load. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === currentHref()) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATION_EVENT));
}

/** The current location; re-renders on navigate() and on the browser's back and forward. */
export function useLocation(): AppLocation {
  const href = useSyncExternalStore(subscribe, currentHref, () => '/');
  const url = new URL(href, 'http://app.invalid');
  return { pathname: url.pathname, search: url.search };
}
