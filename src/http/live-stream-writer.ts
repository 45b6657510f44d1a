import type { Subscription } from '../live/event-hub.js';

/** Where a stream's bytes go: an http.ServerResponse, or a fake in tests. */
export interface StreamSink {
  /** False when the sink's buffer is full; 'drain' follows when it can take more. */
  write(chunk: string): boolean;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'close', listener: () => void): unknown;
  readonly destroyed: boolean;
}

/**
 * Writes a subscription's batches to the sink until it ends: each batch (everything published
 * in one event-loop turn, or everything that piled up while the sink was full) in one write,
 * so a stream costs one socket write per batch, not one per event. While the sink is full
 * nothing is written and events queue in the subscription, which drops itself past its bound.
 */
export async function pumpStream(
  subscription: Subscription,
  sink: StreamSink,
  stopped: () => boolean,
  /** While this gives a promise (the stream's session is being checked), nothing is written until it settles. */
  hold: () => Promise<void> | undefined = () => undefined,
): Promise<void> {
  for (let batch = await subscription.next(); batch !== null && !stopped(); batch = await subscription.next()) {
    for (let held = hold(); held !== undefined; held = hold()) await held;
    if (stopped()) return;
    let chunk = '';
    for (const event of batch) chunk += event.frame;
    if (!sink.write(chunk)) await drained(sink);
  }
}

/** Resolves when the sink can take more, or is closed. */
function drained(sink: StreamSink): Promise<void> {
  if (sink.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      sink.off('drain', done);
      sink.off('close', done);
      resolve();
    };
    sink.once('drain', done);
    sink.once('close', done);
  });
}
