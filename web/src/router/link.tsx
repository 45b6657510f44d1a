import { useEffect, type AnchorHTMLAttributes, type MouseEvent } from 'react';
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
 * the browser's behaviour; the current page's link gets aria-current="page".
 */
export function Link({ to, currentWhen = 'exact', onClick, children, ...anchorProps }: LinkProps) {
  const { pathname } = useLocation();
  const isExact = pathname === to;
  const isBelow = currentWhen === 'prefix' && pathname.startsWith(`${to}/`);
  return (
    <a
      {...anchorProps}
      href={to}
      aria-current={isExact ? 'page' : isBelow ? 'true' : undefined}
      onClick={(event) => {
        onClick?.(event);
        if (event.defaultPrevented || !isPlainLeftClick(event)) return;
        event.preventDefault();
        navigate(to);
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
