import { SqliteDriver as Database } from '../../../src/sqlite/sqlite-driver.js';
import type { AckedEvent, MilestoneTrack } from './write-load.js';

/**
 * What a database file holds, read with a plain connection of its own (SQLite recovers the WAL of
 * a crashed writer on open). The checks read rows directly: the property is about the file.
 */
export interface StoredState {
  readonly integrity: string[];
  readonly foreignKeyProblems: unknown[];
  readonly eventsById: Map<number, { userId: number; actionType: string; metadata: unknown }>;
  readonly scores: Map<string, number | null>;
  readonly lastActiveAt: Map<number, number | null>;
  readonly chapters: { id: string; position: number }[];
}

export function readStoredState(dbFile: string): StoredState {
  const db = new Database(dbFile);
  try {
    db.pragma('busy_timeout = 5000');
    const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((row) => row.integrity_check);
    const foreignKeyProblems = db.pragma('foreign_key_check') as unknown[];
    const eventsById = new Map<number, { userId: number; actionType: string; metadata: unknown }>();
    for (const row of db.prepare('SELECT id, user_id, action_type, metadata FROM activity_logs').all() as {
      id: number;
      user_id: number;
      action_type: string;
      metadata: string | null;
    }[]) {
      eventsById.set(row.id, { userId: row.user_id, actionType: row.action_type, metadata: row.metadata === null ? null : JSON.parse(row.metadata) });
    }
    const scores = new Map<string, number | null>();
    for (const row of db.prepare('SELECT user_id, chapter_id, score FROM milestones').all() as {
      user_id: number;
      chapter_id: string;
      score: number | null;
    }[]) {
      scores.set(`${row.user_id}|${row.chapter_id}`, row.score);
    }
    const lastActiveAt = new Map<number, number | null>();
    for (const row of db.prepare('SELECT id, last_active_at FROM users').all() as { id: number; last_active_at: number | null }[]) {
      lastActiveAt.set(row.id, row.last_active_at);
    }
    const chapters = db.prepare('SELECT id, position FROM chapters ORDER BY position, id').all() as { id: string; position: number }[];
    return { integrity, foreignKeyProblems, eventsById, scores, lastActiveAt, chapters };
  } finally {
    db.close();
  }
}

/** Acknowledged events missing from the file or stored differently, described for a message. */
export function missingEvents(state: StoredState, acked: readonly AckedEvent[]): string[] {
  const problems: string[] = [];
  for (const event of acked) {
    const stored = state.eventsById.get(event.id);
    if (!stored) problems.push(`event ${event.id} (${JSON.stringify(event.metadata)}) is missing`);
    else if (stored.userId !== event.userId || stored.actionType !== event.actionType || JSON.stringify(stored.metadata) !== JSON.stringify(event.metadata)) {
      problems.push(`event ${event.id} is stored as ${JSON.stringify(stored)}, acknowledged as ${JSON.stringify(event)}`);
    }
  }
  return problems;
}

/**
 * Milestones whose stored score is not one the client could have left there: below the last
 * acknowledged score (an acknowledged write lost) or above the last one sent (impossible).
 */
export function milestoneProblems(state: StoredState, tracks: Iterable<MilestoneTrack>): string[] {
  const problems: string[] = [];
  for (const track of tracks) {
    const key = `${track.userId}|${track.chapterId}`;
    const stored = state.scores.get(key);
    if (track.lastAckedScore === null) {
      if (stored !== undefined && stored !== track.lastSentScore) problems.push(`${key}: stored ${stored}, only ${track.lastSentScore} was ever in flight`);
      continue;
    }
    if (stored === undefined || stored === null) problems.push(`${key}: acknowledged score ${track.lastAckedScore} is missing`);
    else if (stored < track.lastAckedScore) problems.push(`${key}: stored ${stored} < acknowledged ${track.lastAckedScore}`);
    else if (stored > track.lastSentScore) problems.push(`${key}: stored ${stored} > last sent ${track.lastSentScore}`);
  }
  return problems;
}
