import type { Invite, NewInvite } from '../invite.js';
import type { Page, PageRequest } from '../page.js';
import type { NewUser, User } from '../user.js';

/**
 * Invite codes (kept as hashes) and registration through them.
 * Methods throw AppError with the codes named in their comments; anything else is `internal`.
 */
export interface InvitesPort {
  /**
   * Stores an invite (only the code's hash and prefix). Throws `not_found` for an unknown cohort
   * or creator and `conflict` if the hash or prefix exists already.
   */
  createInvite(input: NewInvite): Promise<Invite>;

  /** Invites, newest first, used-up and expired ones included. Throws `invalid_request` for a bad cursor. */
  listInvites(page: PageRequest): Promise<Page<Invite>>;

  /** Revokes an invite at once, named by its prefix or its code's hash. Throws `not_found`. */
  revokeInvite(ref: { readonly codePrefix: string } | { readonly codeHash: string }): Promise<void>;

  /**
   * Whether the invite whose code hashes to `codeHash` could register a reader now: it exists (not
   * revoked), has a use left and has not expired. A read; spends nothing.
   */
  isInviteUsable(codeHash: string): Promise<boolean>;

  /**
   * Registers a reader with the invite whose code hashes to `codeHash`, in one transaction: spends
   * one use (exactly, however many register at once), creates the reader and puts them in the
   * invite's cohort. Throws `forbidden` with one message whether the invite is unknown, used up,
   * expired or revoked, and `conflict` if the email is taken (the use is not spent).
   */
  registerWithInvite(input: Omit<NewUser, 'role'>, codeHash: string): Promise<{ user: User; cohortId: number | null }>;
}
