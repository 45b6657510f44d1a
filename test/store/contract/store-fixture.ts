import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { AppError } from '../../../src/domain/index.js';
import type { AttentionItem, Cohort, ErrorCode, NewUser, Role, Session, Store, User } from '../../../src/domain/index.js';
import type { FakeClock } from '../../support/fake-clock.js';

/** A store under test and the clock it reads its times from. */
export interface StoreUnderTest {
  readonly store: Store;
  readonly clock: FakeClock;
}

/** Opens a fresh, empty store; the caller's own hooks close and remove it after each test. */
export type StoreFactory = () => Promise<StoreUnderTest>;

/** The running test's store; call it inside `it`, never at registration time. */
export type CurrentStore = () => StoreUnderTest;

export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** An id no store hands out in a test's fresh database. */
export const UNKNOWN_ID = 987_654_321;

/** A distinct, well-formed session token hash (64 hex chars) for each label. */
export function tokenHash(label: string): string {
  return createHash('sha256').update(label).digest('hex');
}

/** Awaits `action` and checks that it rejected with an AppError of `code`. */
export async function expectAppError(action: () => Promise<unknown>, code: ErrorCode): Promise<AppError> {
  let caught: unknown;
  let settled = false;
  try {
    await action();
    settled = true;
  } catch (error) {
    caught = error;
  }
  expect(settled, `expected an AppError '${code}', but the call succeeded`).toBe(false);
  expect(caught, `expected an AppError '${code}'`).toBeInstanceOf(AppError);
  expect((caught as AppError).code).toBe(code);
  return caught as AppError;
}

let userCounter = 0;

/** A valid NewUser with a unique email; `overrides` replace any field. */
export function newUserInput(role: Role = 'reader', overrides: Partial<NewUser> = {}): NewUser {
  userCounter += 1;
  return {
    email: `${role}${userCounter}@example.com`,
    name: `${role === 'reader' ? 'Reader' : 'Consultant'} ${userCounter}`,
    role,
    passwordHash: `hash-of-password-${userCounter}`,
    ...overrides,
  };
}

/** Creates a user through the store. */
export function addUser(store: Store, role: Role = 'reader', overrides: Partial<NewUser> = {}): Promise<User> {
  return store.users.createUser(newUserInput(role, overrides));
}

/** A session of `userId` created now, seen now, expiring in a day; `overrides` replace any field. */
export function sessionFor(userId: number, label: string, now: number, overrides: Partial<Session> = {}): Session {
  return {
    tokenHash: tokenHash(label),
    userId,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + DAY,
    ...overrides,
  };
}

/** Sorts a copy of `items` by id ascending. */
export function byId<T extends { readonly id: number }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => a.id - b.id);
}

/** The attention item with this id, in whatever state, read through the port's lists; undefined if none. */
export async function attentionItemById(store: Store, itemId: number): Promise<AttentionItem | undefined> {
  for (const state of ['open', 'claimed', 'resolved'] as const) {
    let cursor: string | undefined;
    do {
      const page = await store.attention.listAttention({ state, limit: 100, ...(cursor === undefined ? {} : { cursor }) });
      const found = page.items.find((item) => item.id === itemId);
      if (found) return found;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }
  return undefined;
}

/** The cohort with this id as the port lists it; undefined if none. */
export async function cohortById(store: Store, cohortId: number): Promise<Cohort | undefined> {
  return (await store.cohorts.listCohorts()).find((cohort) => cohort.id === cohortId);
}
