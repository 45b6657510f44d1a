import { navigate, useLocation } from '../router/history.js';

/** The consultant's pages the header's cohort applies to; a link between them carries `?cohort=`. */
const SCOPED_PATHS = ['/dashboard', '/readers', '/attention', '/cohorts', '/program'] as const;

/** The cohort named by a query string (`?cohort=ID`), or null for all readers. */
export function cohortFromSearch(search: string): number | null {
  const value = new URLSearchParams(search).get('cohort');
  if (value === null || !/^[1-9][0-9]{0,15}$/.test(value)) return null;
  const id = Number(value);
  return Number.isSafeInteger(id) ? id : null;
}

/** Whether a path is one of the consultant pages the cohort scopes. */
export function isScopedPath(pathname: string): boolean {
  return SCOPED_PATHS.some((path) => pathname === path || pathname.startsWith(`${path}/`));
}

/**
 * A link target with the cohort in hand carried along: `/readers` becomes `/readers?cohort=3` while
 * cohort 3 is chosen. A target that names its own cohort, or is not a scoped page, is left alone.
 */
export function withCohort(to: string, cohortId: number | null): string {
  if (cohortId === null) return to;
  const url = new URL(to, 'http://app.invalid');
  if (!isScopedPath(url.pathname) || url.searchParams.has('cohort')) return to;
  url.searchParams.set('cohort', String(cohortId));
  return `${url.pathname}${url.search}${url.hash}`;
}

/**
 * Picks the cohort every consultant view narrows to (null: all readers). The choice lives in the
 * address, so a link, a reload and the Back button keep it; choosing adds a history entry.
 */
export function chooseCohort(cohortId: number | null, options: { replace?: boolean } = {}): void {
  const params = new URLSearchParams(window.location.search);
  if (cohortId === null) params.delete('cohort');
  else params.set('cohort', String(cohortId));
  const search = params.toString();
  navigate(`${window.location.pathname}${search === '' ? '' : `?${search}`}`, options);
}

/** The chosen cohort now, for query functions whose keys do not name it (the live stream's views). */
export function currentCohort(): number | null {
  return typeof window === 'undefined' ? null : cohortFromSearch(window.location.search);
}

/** The cohort the consultant chose (from the address), or null for all readers. */
export function useCohortChoice(): number | null {
  return cohortFromSearch(useLocation().search);
}
