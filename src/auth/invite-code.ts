import { createHash, randomBytes } from 'node:crypto';
import { INVITE_PREFIX_LENGTH } from '../domain/index.js';

/** 24 random bytes: 192 bits, 32 URL-safe characters. */
const INVITE_CODE_BYTES = 24;
const INVITE_CODE_PATTERN = /^[A-Za-z0-9_-]{32}$/;

/** A new invite code: shown to its creator once, never stored. */
export function newInviteCode(): string {
  return randomBytes(INVITE_CODE_BYTES).toString('base64url');
}

/** What the store keeps of an invite code: its SHA-256 (hex), looked up by equality. */
export function hashInviteCode(code: string): string {
  return createHash('sha256').update(code, 'utf8').digest('hex');
}

/** The characters of a code shown in lists, which name the invite for revoking. */
export function inviteCodePrefix(code: string): string {
  return code.slice(0, INVITE_PREFIX_LENGTH);
}

/** Whether a string has the shape of an invite code (anything else is refused without a lookup). */
export function isWellFormedInviteCode(code: string): boolean {
  return INVITE_CODE_PATTERN.test(code);
}

/** The invite-code functions together, as the invitations use case takes them. */
export const inviteCodes = { newCode: newInviteCode, hash: hashInviteCode, prefix: inviteCodePrefix, isWellFormed: isWellFormedInviteCode } as const;
