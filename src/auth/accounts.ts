import { AppError, normalizeEmail, type Clock, type Session, type Store, type User } from '../domain/index.js';
import type { LoginThrottle } from './login-throttle.js';
import type { PasswordHasher } from './password-hasher.js';
import { SessionCache } from './session-cache.js';
import type { SessionRevocations } from './session-revocations.js';
import { hashSessionToken, isWellFormedToken, newSessionToken } from './session-token.js';

/** Sessions revoked by another process (the CLI) stop working within this long. */
export const SESSION_CACHE_TTL_MS = 2000;
const SESSION_CACHE_ENTRIES = 20_000;

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

export interface Authenticated {
  readonly user: User;
  readonly session: Session;
}

/** Registration, sign-in, sessions and passwords: the rules, apart from HTTP. */
export class Accounts {
  private readonly sessions = new SessionCache({ ttlMs: SESSION_CACHE_TTL_MS, maxEntries: SESSION_CACHE_ENTRIES });

  constructor(private readonly deps: AccountsDeps) {
    deps.revocations?.onRevoked(() => this.sessions.clear());
  }

  /** Creates a reader and signs them in. Throws `forbidden` when registration is closed, `conflict`. */
  async register(input: { email: string; password: string; name?: string | undefined }): Promise<SignedIn> {
    if (!this.deps.registrationOpen) {
      throw new AppError('forbidden', 'Self-registration is switched off. Ask a consultant for an account.');
    }
    const email = normalizeEmail(input.email);
    if ((await this.deps.store.getUserByEmail(email)) !== null) {
      throw new AppError('conflict', 'That email is already registered.');
    }
    const passwordHash = await this.deps.hasher.hash(input.password);
    const user = await this.deps.store.createUser({
      email,
      name: input.name?.trim() ?? '',
      role: 'reader',
      passwordHash,
    });
    return this.startSession(user);
  }

  /**
   * Verifies the password and starts a session. Throws `unauthenticated` with one message for an
   * unknown email and a wrong password, after the same work; `rate_limited` after repeated failures.
   */
  async login(input: { email: string; password: string }, address: string): Promise<SignedIn> {
    const email = normalizeEmail(input.email);
    await this.deps.throttle.check(email, address);
    const credentials = await this.deps.store.getUserByEmail(email);
    const valid = credentials
      ? await this.deps.hasher.verify(credentials.passwordHash, input.password)
      : (await this.deps.hasher.verifyDummy(input.password), false);
    if (!credentials || !valid) {
      await this.deps.throttle.recordFailure(email, address);
      throw new AppError('unauthenticated', 'The email or password is not correct.');
    }
    await this.deps.throttle.recordSuccess(email);
    if (this.deps.hasher.needsRehash(credentials.passwordHash)) {
      await this.deps.store.setPasswordHash(credentials.user.id, await this.deps.hasher.hash(input.password));
    }
    return this.startSession(credentials.user);
  }

  /** The user and session behind a token, or null when unknown, malformed, or expired. */
  async authenticate(token: string): Promise<Authenticated | null> {
    if (!isWellFormedToken(token)) return null;
    const tokenHash = hashSessionToken(token);
    const now = this.deps.clock.now();
    let found = this.deps.revocations?.listening === false ? undefined : this.sessions.get(tokenHash, now);
    if (!found) {
      const stored = await this.deps.store.findSession(tokenHash);
      if (!stored) return null;
      this.sessions.set(tokenHash, stored, now);
      found = stored;
    }
    const lastSeen = Math.max(found.session.lastSeenAt, this.deps.pendingLastSeen?.(tokenHash) ?? 0);
    if (now >= found.session.expiresAt || now >= lastSeen + this.deps.session.idleTimeoutMs) {
      return null;
    }
    return found;
  }

  /** Revokes one session at once. */
  async logout(tokenHash: string): Promise<void> {
    this.sessions.evict(tokenHash);
    await this.revoking(() => this.deps.store.deleteSession(tokenHash));
  }

  /**
   * Replaces the password and ends every other session of the user.
   * Throws `unauthenticated` if the current password is wrong.
   */
  async changePassword(
    userId: number,
    currentTokenHash: string,
    input: { currentPassword: string; newPassword: string },
  ): Promise<void> {
    const user = await this.deps.store.getUserById(userId);
    const credentials = user && (await this.deps.store.getUserByEmail(user.email));
    if (!credentials || !(await this.deps.hasher.verify(credentials.passwordHash, input.currentPassword))) {
      throw new AppError('unauthenticated', 'The current password is not correct.');
    }
    await this.deps.store.setPasswordHash(userId, await this.deps.hasher.hash(input.newPassword));
    this.sessions.evictUser(userId);
    await this.revoking(() => this.deps.store.deleteUserSessions(userId, currentTokenHash));
  }

  private revoking<T>(write: () => Promise<T>): Promise<T> {
    return this.deps.revocations ? this.deps.revocations.revoking(write) : write();
  }

  private async startSession(user: User): Promise<SignedIn> {
    const { token, tokenHash } = newSessionToken();
    const now = this.deps.clock.now();
    const expiresAt = now + this.deps.session.maxAgeMs;
    await this.deps.store.createSession({ tokenHash, userId: user.id, createdAt: now, lastSeenAt: now, expiresAt });
    return { user, token, tokenHash, expiresAt };
  }
}
