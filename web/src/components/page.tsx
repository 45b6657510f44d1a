import { useEffect, type ReactNode } from 'react';
import { usePageScope } from './page-scope.js';

interface PageProps {
  /** The page's one h1, also used for the document title. */
  readonly title: string;
  /** A short line under the heading. */
  readonly intro?: ReactNode;
  /** Controls shown beside the heading (e.g. a back link). */
  readonly aside?: ReactNode;
  readonly children?: ReactNode;
}

/**
 * The frame of every page: one h1 (focusable, so route changes can move focus to it) and the
 * document title.
 */
export function Page({ title, intro, aside, children }: PageProps) {
  const scope = usePageScope();
  useEffect(() => {
    document.title = `${title} · ReadPulse`;
  }, [title]);
  return (
    <>
      <div className="page-header">
        <div>
          <h1 tabIndex={-1}>{title}</h1>
          {intro !== undefined && <p className="page-intro">{intro}</p>}
          {scope}
        </div>
        {aside !== undefined && <div className="page-aside">{aside}</div>}
      </div>
      {children}
    </>
  );
}
