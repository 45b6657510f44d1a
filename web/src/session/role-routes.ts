import type { Role } from '../api/types.js';

/** Where each role lands after signing in. */
export function homePathFor(role: Role): string {
  return role === 'consultant' ? '/dashboard' : '/reading';
}

const PATH_PREFIXES_BY_ROLE: Readonly<Record<Role, readonly string[]>> = {
  reader: ['/reading'],
  consultant: ['/dashboard', '/readers', '/program', '/attention', '/cohorts', '/lrs-credentials'],
};

/** Whether a role's pages include this path (used to honour `?next=` after sign-in). */
export function isPathForRole(role: Role, pathname: string): boolean {
  return PATH_PREFIXES_BY_ROLE[role].some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`));
}

/**
 * Where to go after signing in: the page someone was sent away from if it is theirs to see and
 * is a plain local path (never another site), otherwise their home.
 */
export function pathAfterSignIn(role: Role, next: string | null): string {
  if (next === null || !next.startsWith('/') || next.startsWith('//') || next.includes('\\')) {
    return homePathFor(role);
  }
  const pathname = next.split(/[?#]/)[0] ?? '';
  return isPathForRole(role, pathname) ? next : homePathFor(role);
}

/** The sign-in page's address, remembering where to come back to. */
export function signInPathFrom(pathname: string, search: string): string {
  if (pathname === '/' || pathname === '/sign-in') return '/sign-in';
  return `/sign-in?next=${encodeURIComponent(pathname + search)}`;
}
