import type { EventIdSource } from './event-ids.js';
import type { EventHub, LiveEvent } from './event-hub.js';

/**
 * Ids that someone else hands out, such as a database shared by several instances: the hub
 * publishes an event under the id it was relayed with. Ids must be relayed in increasing order.
 */
export class RelayedEventIds implements EventIdSource {
  private last: number;
  private staged: number | undefined;

  /** `start`: the id before the first one that will be relayed. */
  constructor(start: number) {
    this.last = start;
  }

  get latest(): number {
    return this.last;
  }

  next(): number {
    const id = this.staged;
    if (id === undefined) throw new Error('Live events are numbered by their source here; publish them through relay().');
    this.staged = undefined;
    this.last = id;
    return id;
  }

  /** Restarts the numbering (before anything was relayed): the first relayed id follows `start`. */
  reset(start: number): void {
    this.last = start;
  }

  /** Publishes `event` on `hub` under `id`; ids at or below the latest are ignored (already relayed). */
  relay(hub: EventHub, id: number, event: LiveEvent): void {
    if (id <= this.last) return;
    this.staged = id;
    hub.publish(event);
  }
}
