import type { NewUser, User, UserCredentials } from '../user.js';

/**
 * Who can sign in: accounts by email or id, their password hashes, their deletion.
 * Methods throw AppError with the codes named in their comments; anything else is `internal`.
 */
export interface UsersPort {
  /** Creates a user. Throws `conflict` if the email is taken. */
  createUser(input: NewUser): Promise<User>;

  /** The user with this (normalized) email and their password hash, or null. */
  getUserByEmail(email: string): Promise<UserCredentials | null>;

  /** The user with this id, or null. */
  getUserById(id: number): Promise<User | null>;

  /** The users with these ids (any role), in no particular order; unknown ids are skipped. */
  getUsersByIds(ids: readonly number[]): Promise<User[]>;

  /** Replaces a user's password hash. Throws `not_found` if the user does not exist. */
  setPasswordHash(userId: number, passwordHash: string): Promise<void>;

  /**
   * Removes a user and every row of theirs: sessions, milestones, activity, its share of the
   * activity aggregates and access-log entries naming them as reader or consultant.
   * Throws `not_found`.
   */
  deleteUser(userId: number): Promise<void>;
}
