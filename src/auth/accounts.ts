import { AppError, INVITE_REFUSED, normalizeEmail, type Clock, type Session, type Store, type User } from '../domain/index.js';
import type { LoginThrottle } from './login-throttle.js';
import type { PasswordHasher } from './password-hasher.js';
import { hashInviteCode, isWellFormedInviteCode } from './invite-code.js';
import { SessionCache, type CachedSession } from './session-cache.js';
import type { SessionRevocations } from './session-revocations.js';
import { hashSessionToken, isWellFormedToken, newSessionToken } from './session-token.js';

/**
 * Sessions revoked by another process (the CLI) stop working within this long; revocations in
 * this process take effect at once. Long enough that a reader coming every few seconds is
 * looked up about once a minute.
 */
export const SESSION_CACHE_TTL_MS = 60_000;
/** Room for every session of 20,000 readers at once, with headroom. */
export const SESSION_CACHE_ENTRIES = 50_000;

/** The session cache Accounts uses unless it is given one. */
export function newSessionCache(): SessionCache {
  return new SessionCache({ ttlMs: SESSION_CACHE_TTL_MS, maxEntries: SESSION_CACHE_ENTRIES });
}

export interface SessionSettings {
  readonly idleTimeoutMs: number;
  readonly maxAgeMs: number;
}

export interface AccountsDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly hasher: PasswordHasher;
  readonly throttle: LoginThrottle;
  readonly session: SessionSettings;
  readonly registrationOpen: boolean;
  /** The latest not-yet-flushed activity on a session, so idle expiry sees it at once. */
  readonly pendingLastSeen?: (tokenHash: string) => number | undefined;
  /** Shared with whatever else revokes sessions in this process (the store's deletions). */
  readonly sessionCache?: SessionCache;
  /** With several instances: revocations made on the others (the cache is bypassed while they cannot arrive). */
  readonly revocations?: SessionRevocations;
}

/** A new session: the raw token goes to the client once and is never stored. */
export interface SignedIn {
  readonly user: User;
  readonly token: string;
  readonly tokenHash: string;
  readonly expiresAt: number;
}

/**
 * Sessions that ended: one by its token hash, every one of a user's but `except` (a password
 * change keeps the session that made it; a deletion ends them all), or some made elsewhere (another
 * instance) that this process cannot name.
 */
export type SessionsEnded =
  | { readonly kind: 'session'; readonly tokenHash: string }
  | { readonly kind: 'user'; readonly userId: number; readonly except?: string }
  | { readonly kind: 'elsewhere' };

export interface Authenticated {
  readonly user: User;
  readonly session: Session;
}

/** Registration, sign-in, sessions and passwords: the rules, apart from HTTP. */
export class Accounts {
  private readonly sessions: SessionCache;
  /** Counts the revocations heard from elsewhere, so a store read that raced one is not cached. */
  private revocationsHeard = 0;
  private readonly endedListeners: ((ended: SessionsEnded) => void)[] = [];

  constructor(private readonly deps: AccountsDeps) {
    this.sessions = deps.sessionCache ?? newSessionCache();
    deps.revocations?.onRevoked(() => {
      this.revocationsHeard += 1;
      this.sessions.clear();
      this.ended({ kind: 'elsewhere' });
    });
  }

  /**
   * Registers what to call when sessions end (the live streams they hold close). Called
   * synchronously once the revoking write committed, before the client or any other instance
   * hears of it.
   */
  onSessionsEnded(listener: (ended: SessionsEnded) => void): void {
    this.endedListeners.push(listener);
  }

  /** Whether the session is still stored and unexpired, read from the store (not the cache). */
  async sessionValid(tokenHash: string): Promise<boolean> {
    const stored = await this.deps.store.sessions.findSession(tokenHash);
    return stored !== null && this.deps.clock.now() < stored.session.expiresAt;
  }

  private ended(ended: SessionsEnded): void {
    for (const listener of this.endedListeners) listener(ended);
  }

  /**
   * Creates a reader and signs them in. With an invite, registration works even when closed, and
   * the reader joins the invite's cohort (returned as `cohortId`). Throws `forbidden` when
   * registration is closed or the invite cannot be used (one message whatever the reason), and
   * `conflict` when the email is taken.
   */
  async register(input: {
    email: string;
    password: string;
    name?: string | undefined;
    invite?: string | undefined;
  }): Promise<SignedIn & { readonly cohortId: number | null }> {
    const email = normalizeEmail(input.email);
    const name = input.name?.trim() ?? '';
    if (input.invite !== undefined) {
      if (!isWellFormedInviteCode(input.invite)) throw new AppError('forbidden', INVITE_REFUSED);
      const passwordHash = await this.deps.hasher.hash(input.password);
      const { user, cohortId } = await this.deps.store.invites.registerWithInvite(
        { email, name, passwordHash },
        hashInviteCode(input.invite),
      );
      return { ...(await this.startSession(user)), cohortId };
    }
    if (!this.deps.registrationOpen) {
      throw new AppError('forbidden', 'Self-registration is switched off. Ask a consultant for an account.');
    }
    if ((await this.deps.store.users.getUserByEmail(email)) !== null) {
      throw new AppError('conflict', 'That email is already registered.');
    }
    const passwordHash = await this.deps.hasher.hash(input.password);
    const user = await this.deps.store.users.createUser({ email, name, role: 'reader', passwordHash });
    return { ...(await this.startSession(user)), cohortId: null };
  }

  /**
   * Verifies the password and starts a session. Throws `unauthenticated` with one message for an
   * unknown email and a wrong password, after the same work; `rate_limited` after repeated failures.
   */
  async login(input: { email: string; password: string }, address: string): Promise<SignedIn> {
    const email = normalizeEmail(input.email);
    await this.deps.throttle.check(email, address);
    const credentials = await this.deps.store.users.getUserByEmail(email);
    const valid = credentials
      ? await this.deps.hasher.verify(credentials.passwordHash, input.password)
      : (await this.deps.hasher.verifyDummy(input.password), false);
    if (!credentials || !valid) {
      await this.deps.throttle.recordFailure(email, address);
      throw new AppError('unauthenticated', 'The email or password is not correct.');
    }
    await this.deps.throttle.recordSuccess(email);
    if (this.deps.hasher.needsRehash(credentials.passwordHash)) {
      await this.deps.store.users.setPasswordHash(credentials.user.id, await this.deps.hasher.hash(input.password));
    }
    return this.startSession(credentials.user);
  }

  /** The user and session behind a token, or null when unknown, malformed, or expired. */
  async authenticate(token: string): Promise<Authenticated | null> {
    if (!isWellFormedToken(token)) return null;
    const tokenHash = hashSessionToken(token);
    const now = this.deps.clock.now();
    let entry = this.cachedEntry(tokenHash, now);
    if (!entry) {
      const heard = this.revocationsHeard;
      const stored = await this.deps.store.sessions.findSession(tokenHash);
      if (!stored) return null;
      // A revocation heard while the store answered may have deleted this very session after it
      // was read: admit this once (the read came first) but do not cache it.
      entry = heard === this.revocationsHeard ? this.sessions.set(tokenHash, stored, now) : { found: stored, cachedAt: now, seenAt: stored.session.lastSeenAt };
    }
    return this.admit(entry, tokenHash, now);
  }

  /**
   * authenticate's answer when the session cache alone can give it, without a promise: the
   * common case of a request on a recently seen session. `undefined` when the session is not
   * cached and the store must be asked (call authenticate then).
   */
  authenticateCached(token: string): Authenticated | null | undefined {
    if (!isWellFormedToken(token)) return null;
    const tokenHash = hashSessionToken(token);
    const now = this.deps.clock.now();
    const entry = this.cachedEntry(tokenHash, now);
    return entry ? this.admit(entry, tokenHash, now) : undefined;
  }

  /** The cached session, unless revocations made elsewhere cannot reach this instance now. */
  private cachedEntry(tokenHash: string, now: number): CachedSession | undefined {
    return this.deps.revocations?.listening === false ? undefined : this.sessions.get(tokenHash, now);
  }

  /** The cached session if it has neither expired nor idled out; records the request on it. */
  private admit(entry: CachedSession, tokenHash: string, now: number): Authenticated | null {
    const { found } = entry;
    const lastSeen = Math.max(entry.seenAt, this.deps.pendingLastSeen?.(tokenHash) ?? 0);
    if (now >= found.session.expiresAt || now >= lastSeen + this.deps.session.idleTimeoutMs) {
      return null;
    }
    // Every authenticated request is activity on its session.
    if (now > entry.seenAt) entry.seenAt = now;
    return found;
  }

  /** Revokes one session at once; its live streams close. */
  async logout(tokenHash: string): Promise<void> {
    this.sessions.evict(tokenHash);
    await this.revoking(() => this.deps.store.sessions.deleteSession(tokenHash), { kind: 'session', tokenHash });
  }

  /**
   * Replaces the password and ends every other session of the user (and their live streams).
   * Throws `unauthenticated` if the current password is wrong, `rate_limited` past the account's
   * failure limit (see reconfirmPassword).
   */
  async changePassword(
    userId: number,
    currentTokenHash: string,
    input: { currentPassword: string; newPassword: string },
    address: string,
  ): Promise<void> {
    await this.reconfirmPassword(userId, input.currentPassword, address, 'The current password is not correct.');
    await this.deps.store.users.setPasswordHash(userId, await this.deps.hasher.hash(input.newPassword));
    this.sessions.evictUser(userId);
    await this.revoking(() => this.deps.store.sessions.deleteUserSessions(userId, currentTokenHash), {
      kind: 'user',
      userId,
      except: currentTokenHash,
    });
  }

  /**
   * Checks a signed-in user's password again (before a password change or a deletion). A wrong
   * one counts toward the same per-account and per-address failure limits as a sign-in, so a
   * stolen session cannot be used to guess the password; past the limit it throws `rate_limited`
   * before any check. The session itself is left alone. Throws `unauthenticated` with `wrong`.
   */
  private async reconfirmPassword(userId: number, password: string, address: string, wrong: string): Promise<void> {
    const user = await this.deps.store.users.getUserById(userId);
    const credentials = user && (await this.deps.store.users.getUserByEmail(user.email));
    if (!credentials) throw new AppError('unauthenticated', wrong);
    const account = credentials.user.email;
    await this.deps.throttle.check(account, address);
    if (!(await this.deps.hasher.verify(credentials.passwordHash, password))) {
      await this.deps.throttle.recordFailure(account, address);
      throw new AppError('unauthenticated', wrong);
    }
  }

  /** Runs a revoking write; once it committed, the ended sessions' streams close, then other instances hear of it. */
  private revoking<T>(write: () => Promise<T>, ended: SessionsEnded): Promise<T> {
    const writeThenEnd = async () => {
      const result = await write();
      this.ended(ended);
      return result;
    };
    return this.deps.revocations ? this.deps.revocations.revoking(writeThenEnd) : writeThenEnd();
  }

  /**
   * Deletes the user's account and every row of theirs once the password is confirmed; their
   * sessions end with it, in this process's cache too, so the next request with any of their
   * tokens is refused, and their live streams close. Throws `unauthenticated` if the password is
   * wrong, `rate_limited` past the account's failure limit (see reconfirmPassword).
   */
  async deleteAccount(userId: number, password: string, address: string): Promise<void> {
    await this.reconfirmPassword(userId, password, address, 'The password is not correct.');
    this.sessions.evictUser(userId);
    await this.revoking(() => this.deps.store.users.deleteUser(userId), { kind: 'user', userId });
    // A request authenticated from the store while the delete was queued may have cached it.
    this.sessions.evictUser(userId);
  }

  private async startSession(user: User): Promise<SignedIn> {
    const { token, tokenHash } = newSessionToken();
    const now = this.deps.clock.now();
    const expiresAt = now + this.deps.session.maxAgeMs;
    await this.deps.store.sessions.createSession({ tokenHash, userId: user.id, createdAt: now, lastSeenAt: now, expiresAt });
    return { user, token, tokenHash, expiresAt };
  }
}
