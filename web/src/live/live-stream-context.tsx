import { createContext, useContext, type ReactNode } from 'react';
import { useLocation } from '../router/history.js';
import { liveStreamQuery } from './stream-query.js';
import { useLiveStream, type LiveStatus } from './use-live-stream.js';

const LiveStatusContext = createContext<LiveStatus>('off');

/**
 * Keeps one live stream open for the consultant session, narrowed to what the current page shows
 * (a reader's page: that reader; elsewhere: no activity events), and tells the views whether
 * they still need to poll.
 */
export function LiveStreamProvider({ enabled, children }: { readonly enabled: boolean; readonly children: ReactNode }) {
  const { pathname } = useLocation();
  const status = useLiveStream(enabled, liveStreamQuery(pathname));
  return <LiveStatusContext.Provider value={status}>{children}</LiveStatusContext.Provider>;
}

/** The live stream's status; 'off' outside a LiveStreamProvider. */
export function useLiveStatus(): LiveStatus {
  return useContext(LiveStatusContext);
}

/** Whether the stream is open and keeping the cache current (so views need not poll fast). */
export function useIsLive(): boolean {
  return useLiveStatus() === 'live';
}
