export const ROLES = ['reader', 'consultant'] as const;
export type Role = (typeof ROLES)[number];

/** A person who signs in. Never carries password or session material. */
export interface User {
  readonly id: number;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  /** Epoch milliseconds of the last authenticated request, or null if none yet. */
  readonly lastActiveAt: number | null;
}

/** A user together with the stored password hash, for sign-in only. */
export interface UserCredentials {
  readonly user: User;
  readonly passwordHash: string;
}

export interface NewUser {
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly passwordHash: string;
}

/** A reader as the consultant's list shows them, with milestone counts per status. */
export interface ReaderSummary extends User {
  readonly counts: { readonly started: number; readonly completed: number; readonly stuck: number };
}

/** Orders of the consultants' reader list: by id (the default), name, last activity (most recent first, never last, later ids first among equals), completed chapters (most first). */
export const READER_SORTS = ['id', 'name', 'last-active', 'completed'] as const;
export type ReaderSort = (typeof READER_SORTS)[number];

/** Filters of the reader list: stuck on some chapter, no milestone at all, every program chapter completed. */
export const READER_STATUSES = ['stuck', 'not-started', 'completed-all'] as const;
export type ReaderStatus = (typeof READER_STATUSES)[number];

/** Which readers a reader list (or its total) covers and in which order. */
export interface ReaderListQuery {
  readonly search?: string | undefined;
  readonly cohortId?: number | undefined;
  readonly sort?: ReaderSort | undefined;
  readonly status?: ReaderStatus | undefined;
}

/** Emails are compared and stored lower-cased and trimmed. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}
