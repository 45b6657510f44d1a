import { AppError, DEFAULT_INVITE_DAYS, INVITE_PREFIX_LENGTH, type Clock, type Invite, type InvitesPort } from '../domain/index.js';

const DAY_MS = 86_400_000;
/** A whole invite code's length (its prefix is INVITE_PREFIX_LENGTH). */
const INVITE_CODE_LENGTH = 32;

/** How invite codes are made and kept (auth/'s invite-code functions). */
export interface InviteCodes {
  newCode(): string;
  /** What is stored instead of the code. */
  hash(code: string): string;
  /** The first characters, shown in lists. */
  prefix(code: string): string;
  /** Whether a string has the shape of a code (anything else is refused without a lookup). */
  isWellFormed(code: string): boolean;
}

export interface InvitationsDeps {
  readonly invites: Pick<InvitesPort, 'createInvite' | 'revokeInvite' | 'isInviteUsable'>;
  readonly clock: Clock;
  readonly codes: InviteCodes;
}

export interface NewInvitation {
  readonly cohortId: number | null;
  readonly maxUses: number;
  /** Days until it expires; DEFAULT_INVITE_DAYS when absent. */
  readonly expiresInDays?: number;
  readonly createdBy: number;
}

/** Invites: codes that let a reader register (even when registration is closed) into a cohort. */
export class Invitations {
  constructor(private readonly deps: InvitationsDeps) {}

  /**
   * Makes a new code and stores only its hash and prefix. Resolves with the invite and its whole
   * code, which exists nowhere else: show it once. Throws `not_found` for an unknown cohort or creator.
   */
  async create(input: NewInvitation): Promise<{ readonly invite: Invite; readonly code: string }> {
    const { codes } = this.deps;
    const code = codes.newCode();
    const invite = await this.deps.invites.createInvite({
      codeHash: codes.hash(code),
      codePrefix: codes.prefix(code),
      cohortId: input.cohortId,
      maxUses: input.maxUses,
      expiresAt: this.deps.clock.now() + (input.expiresInDays ?? DEFAULT_INVITE_DAYS) * DAY_MS,
      createdBy: input.createdBy,
    });
    return { invite, code };
  }

  /**
   * Whether an invite code would register a reader now. The answer is the one registering with the
   * code gives (it succeeds or is refused with one message), and nothing more: unknown, revoked,
   * used up and expired codes are alike, and nothing is spent.
   */
  async isUsable(code: string): Promise<boolean> {
    const { codes } = this.deps;
    if (!codes.isWellFormed(code)) return false;
    return this.deps.invites.isInviteUsable(codes.hash(code));
  }

  /**
   * Revokes an invite named by the prefix lists show or by its whole code; it stops working at
   * once. Throws `invalid_request` for anything else and `not_found` for no such invite.
   */
  async revoke(codeOrPrefix: string): Promise<void> {
    if (codeOrPrefix.length === INVITE_PREFIX_LENGTH) return this.deps.invites.revokeInvite({ codePrefix: codeOrPrefix });
    if (codeOrPrefix.length === INVITE_CODE_LENGTH) return this.deps.invites.revokeInvite({ codeHash: this.deps.codes.hash(codeOrPrefix) });
    throw new AppError('invalid_request', 'That is not an invite code.');
  }
}
