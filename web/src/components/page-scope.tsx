import { createContext, useContext, type ReactNode } from 'react';

/** What the app shell shows under every page's heading (the consultant's cohort scope), or null. */
export const PageScopeContext = createContext<ReactNode>(null);

export function usePageScope(): ReactNode {
  return useContext(PageScopeContext);
}
