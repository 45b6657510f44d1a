import { vi } from 'vitest';
import type { LiveEvent } from '../../src/live/live-event.js';
import type { TestApp } from './test-app.js';

/**
 * Publishes live events the way the app's engine brings them to its hub, and resolves with
 * their ids once this app's hub has published them (so a test can go on as if it were
 * synchronous, on either engine):
 * - SQLite: straight into the hub, as the write paths do;
 * - PostgreSQL: as rows of live_events, the table every instance reads its events from (in the
 *   stored shape the triggers write), followed by the wake-up; the hub gets them through the
 *   cluster channel with the ids the database gave them.
 * For tests whose app writes no events of its own meanwhile (the rows skip the cluster's commit
 * lock, which only matters between concurrent writers).
 */
export async function publishLive(t: TestApp, events: readonly LiveEvent[]): Promise<number[]> {
  if (t.engine === 'sqlite') return events.map((event) => t.hub.publish(event).id);
  if (events.length === 0) return [];
  const at = t.clock.now();
  const rows = events.map(storedForm);
  const ids = (
    await t.db.all<{ id: string | number }>(
      `INSERT INTO live_events (type, reader_id, body, created_at)
       SELECT * FROM unnest(?::text[], ?::bigint[], ?::text[], ?::bigint[]) RETURNING id`,
      rows.map((r) => r.type),
      rows.map((r) => r.readerId),
      rows.map((r) => r.body),
      rows.map(() => at),
    )
  )
    .map((row) => Number(row.id))
    .sort((a, b) => a - b);
  await t.db.all("SELECT pg_notify('readpulse_live', '')");
  const last = ids.at(-1)!;
  await vi.waitFor(
    () => {
      if (t.hub.latestId < last) throw new Error(`the hub has published up to ${t.hub.latestId}, not yet ${last}`);
    },
    { timeout: 15_000, interval: 2 },
  );
  return ids;
}

/** An event as PostgreSQL stores it: the changed row as JSON text (the attention item as is). */
function storedForm(event: LiveEvent): { type: string; readerId: number; body: string } {
  switch (event.type) {
    case 'activity': {
      const { id, actionType, metadata, createdAt } = event.event;
      const body = { id, action_type: actionType, metadata: metadata === null ? null : JSON.stringify(metadata), created_at: createdAt };
      return { type: 'activity', readerId: event.readerId, body: JSON.stringify(body) };
    }
    case 'milestone': {
      const { chapterId, status, score, updatedAt } = event.milestone;
      return {
        type: 'milestone',
        readerId: event.readerId,
        body: JSON.stringify({ chapter_id: chapterId, status, score, updated_at: updatedAt }),
      };
    }
    case 'presence': {
      const { reader, online } = event;
      const body = {
        id: reader.id,
        email: reader.email,
        name: reader.name,
        role: reader.role,
        created_at: reader.createdAt,
        last_active_at: reader.lastActiveAt,
        online,
      };
      return { type: 'presence', readerId: reader.id, body: JSON.stringify(body) };
    }
    case 'attention':
      return { type: 'attention', readerId: event.readerId, body: JSON.stringify(event.item) };
  }
}
