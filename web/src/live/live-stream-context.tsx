import { createContext, useContext, type ReactNode } from 'react';
import { useLiveStream, type LiveStatus } from './use-live-stream.js';

const LiveStatusContext = createContext<LiveStatus>('off');

/**
 * Keeps one live stream open for the whole consultant session (so moving between the dashboard
 * and a reader's page does not reconnect) and tells the views whether they still need to poll.
 */
export function LiveStreamProvider({
  enabled,
  cohortId = null,
  children,
}: {
  readonly enabled: boolean;
  readonly cohortId?: number | null;
  readonly children: ReactNode;
}) {
  const status = useLiveStream(enabled, cohortId);
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
