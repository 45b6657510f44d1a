import { useEffect, type AnchorHTMLAttributes, type MouseEvent } from 'react';
import { cohortFromSearch, withCohort } from '../cohorts/cohort-choice.js';
import { navigate, useLocation } from './history.js';

interface LinkProps extends AnchorHTMLAttributes<HTMLAnchorElement> {
  readonly to: string;
  /** 'prefix' also marks the link current on pages below it (e.g. /readers for /readers/7). */
  readonly currentWhen?: 'exact' | 'prefix';
}

function isPlainLeftClick(event: MouseEvent<HTMLAnchorElement>): boolean {
  return event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey;
}

/**
 * An ordinary anchor that navigates on the client. Modified clicks (new tab, new window) keep
 * the browser's behaviour; the current page's link gets aria-current="page". A link to another
 * consultant page carries the cohort in hand (`?cohort=`), so the scope follows the consultant.
 */
export function Link({ to, currentWhen = 'exact', onClick, children, ...anchorProps }: LinkProps) {
  const { pathname, search } = useLocation();
  const href = withCohort(to, cohortFromSearch(search));
  const target = to.split(/[?#]/)[0]!;
  const isExact = pathname === target;
  const isBelow = currentWhen === 'prefix' && pathname.startsWith(`${target}/`);
  return (
    <a
      {...anchorProps}
      href={href}
      aria-current={isExact ? 'page' : isBelow ? 'true' : undefined}
      onClick={(event) => {
        onClick?.(event);
        if (event.defaultPrevented || !isPlainLeftClick(event)) return;
        event.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}

/** Sends the browser elsewhere as soon as it renders (for guards and `/`). */
export function Redirect({ to }: { readonly to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}
