import { useSyncExternalStore } from 'react';

const STORAGE_KEY = 'readpulse.cohort';
const listeners = new Set<() => void>();

function read(): number | null {
  try {
    const value = Number(window.localStorage.getItem(STORAGE_KEY));
    return Number.isInteger(value) && value > 0 ? value : null;
  } catch {
    return null;
  }
}

let current: number | null = typeof window === 'undefined' ? null : read();

/** Picks the cohort every consultant view narrows to (null: all readers); kept across pages and visits. */
export function chooseCohort(cohortId: number | null): void {
  current = cohortId;
  try {
    if (cohortId === null) window.localStorage.removeItem(STORAGE_KEY);
    else window.localStorage.setItem(STORAGE_KEY, String(cohortId));
  } catch {
    // Private windows may refuse storage; the choice still holds for this visit.
  }
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The picked cohort now, for query functions whose keys do not name it (the live stream's views). */
export function currentCohort(): number | null {
  return current;
}

/** The cohort the consultant picked, or null for all readers. */
export function useCohortChoice(): number | null {
  return useSyncExternalStore(subscribe, () => current, () => null);
}
