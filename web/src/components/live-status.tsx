import { useLiveStatus } from '../live/live-stream-context.js';

/**
 * A small note of how the dashboard stays current: "Live" while the stream is open, otherwise
 * "Updating every few seconds". A polite status, so a change is announced once, without
 * interrupting; it changes rarely (the stream retries with growing pauses).
 */
export function LiveStatusNote() {
  const isLive = useLiveStatus() === 'live';
  return (
    <p className={isLive ? 'live-status live-status-live' : 'live-status'} role="status">
      <span className="live-status-dot" aria-hidden="true" />
      <span className="visually-hidden">Dashboard updates: </span>
      {isLive ? 'Live' : 'Updating every few seconds'}
    </p>
  );
}
