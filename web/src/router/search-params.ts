import { navigate, useLocation } from './history.js';

/**
 * The current address's query parameters, and a way to change some of them (replacing the history
 * entry, so filters do not pile up in Back). Empty values are removed from the address.
 */
export function useSearchParams(): [URLSearchParams, (changes: Readonly<Record<string, string | null>>) => void] {
  const { pathname, search } = useLocation();
  const params = new URLSearchParams(search);
  const update = (changes: Readonly<Record<string, string | null>>) => {
    const next = new URLSearchParams(search);
    for (const [key, value] of Object.entries(changes)) {
      if (value === null || value === '') next.delete(key);
      else next.set(key, value);
    }
    const text = next.toString();
    navigate(text === '' ? pathname : `${pathname}?${text}`, { replace: true });
  };
  return [params, update];
}
