import { hash, randomBytes } from 'node:crypto';

/** Bytes of randomness in a session token: 256 bits, far beyond ASVS's 128-bit minimum. */
const TOKEN_BYTES = 32;

/** A fresh session token and the hash that is the only form of it ever stored. */
export function newSessionToken(): { token: string; tokenHash: string } {
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  return { token, tokenHash: hashSessionToken(token) };
}

/**
 * SHA-256 of the token, hex. A fast hash is right here (unlike passwords): the token is 256 random
 * bits, so there is nothing to brute-force, and every request must look it up. The one-shot
 * crypto.hash: about a third of the time of a createHash object per request.
 */
export function hashSessionToken(token: string): string {
  return hash('sha256', token, 'hex');
}

/** A token as newSessionToken makes them: 43 base64url characters. Anything else is not looked up. */
export function isWellFormedToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}
