import type { User } from './user.js';

/** Characters of an invite code kept in clear, to tell invites apart in a list and revoke them. */
export const INVITE_PREFIX_LENGTH = 8;
export const MAX_INVITE_USES = 10_000;
export const MAX_INVITE_DAYS = 90;
export const DEFAULT_INVITE_DAYS = 14;

/**
 * An invitation to register. The code itself is never stored: only its SHA-256 hash and its first
 * INVITE_PREFIX_LENGTH characters, which name the invite in lists.
 */
export interface Invite {
  readonly codePrefix: string;
  readonly cohortId: number | null;
  readonly maxUses: number;
  readonly usesLeft: number;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
  readonly createdAt: number;
  readonly createdBy: User;
}

export interface NewInvite {
  readonly codeHash: string;
  readonly codePrefix: string;
  readonly cohortId: number | null;
  readonly maxUses: number;
  readonly expiresAt: number;
  readonly createdBy: number;
}
