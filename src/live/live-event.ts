import type { LiveEvent } from '../domain/index.js';

export type { LiveEvent } from '../domain/index.js';

/** A live event as the hub numbered it, serialized once however many streams write it. */
export interface PublishedEvent {
  readonly id: number;
  readonly event: LiveEvent;
  /** When it was published (epoch ms). */
  readonly at: number;
  /** Its whole wire form: the id line, then the body. */
  readonly frame: string;
  /** The frame's size in bytes. */
  readonly size: number;
}

/**
 * Where routes send a live event once its write has committed: the hub itself in one process;
 * on PostgreSQL nothing, because the database records the event in the write's own transaction
 * and every instance reads it from there.
 */
export interface LiveEventSink {
  publish(event: LiveEvent): unknown;
}

/** Turns a live event into its wire form after the id line. */
export type LiveEventEncoder = (event: LiveEvent) => string;

/** The encoder used when none is given: the event itself as the data. */
export const plainEncoder: LiveEventEncoder = (event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;

/** A published event with the given id and body (its wire form after the id line). */
export function publishedEvent(id: number, event: LiveEvent, at: number, body: string): PublishedEvent {
  const frame = `id: ${id}\n${body}`;
  return { id, event, at, frame, size: Buffer.byteLength(frame) };
}

/** The same event under another id: the body is shared, not serialized again. */
export function renumbered(published: PublishedEvent, id: number): PublishedEvent {
  return publishedEvent(id, published.event, published.at, published.frame.slice(published.frame.indexOf('\n') + 1));
}
