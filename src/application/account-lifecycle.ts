import type { User } from '../domain/index.js';
import type { CohortRosters } from '../live/cohort-rosters.js';
import type { Presence } from '../live/presence.js';

/** A new session: its token is shown to the client once. */
export interface SignedIn {
  readonly user: User;
  readonly token: string;
  readonly tokenHash: string;
  readonly expiresAt: number;
}

/** Credentials, sessions and their cache (auth/'s Accounts). */
export interface AccountService {
  register(input: { email: string; password: string; name?: string | undefined; invite?: string | undefined }): Promise<SignedIn & { readonly cohortId: number | null }>;
  login(input: { email: string; password: string }, address: string): Promise<SignedIn>;
  logout(tokenHash: string): Promise<void>;
  changePassword(userId: number, currentTokenHash: string, input: { currentPassword: string; newPassword: string }, address: string): Promise<void>;
  deleteAccount(userId: number, password: string, address: string): Promise<void>;
}

export interface AccountLifecycleDeps {
  readonly accounts: AccountService;
  /** An invited reader joins the invite's cohort in the live rosters at once. */
  readonly rosters: Pick<CohortRosters, 'added'>;
  /** A deleted user leaves the live view at once. */
  readonly presence: Pick<Presence, 'forget'>;
}

/** An account from registration to deletion, with what the live views must learn of each step. */
export class AccountLifecycle {
  constructor(private readonly deps: AccountLifecycleDeps) {}

  /**
   * Creates a reader and signs them in; with an invite, they join its cohort. Throws `forbidden`
   * when registration is closed or the invite cannot be used, `conflict` when the email is taken.
   */
  async register(input: { email: string; password: string; name?: string | undefined; invite?: string | undefined }): Promise<SignedIn> {
    const signedIn = await this.deps.accounts.register(input);
    if (signedIn.cohortId !== null) this.deps.rosters.added(signedIn.cohortId, signedIn.user.id);
    return signedIn;
  }

  /** Starts a session. Throws `unauthenticated` for a wrong email or password, `rate_limited` after repeated failures. */
  signIn(input: { email: string; password: string }, address: string): Promise<SignedIn> {
    return this.deps.accounts.login(input, address);
  }

  /** Ends one session at once, on every instance. */
  signOut(tokenHash: string): Promise<void> {
    return this.deps.accounts.logout(tokenHash);
  }

  /** Replaces the password and ends the user's other sessions. Throws `unauthenticated` if the current password is wrong. */
  changePassword(
    userId: number,
    currentTokenHash: string,
    input: { currentPassword: string; newPassword: string },
    address: string,
  ): Promise<void> {
    return this.deps.accounts.changePassword(userId, currentTokenHash, input, address);
  }

  /**
   * Deletes the account and all its data once the password is confirmed; every session ends and
   * the user leaves the live view. Throws `unauthenticated` if the password is wrong.
   */
  async deleteAccount(userId: number, password: string, address: string): Promise<void> {
    await this.deps.accounts.deleteAccount(userId, password, address);
    this.deps.presence.forget(userId);
  }
}
