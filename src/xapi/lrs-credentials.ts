import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError, requireStorableText, type LrsCredential, type LrsCredentialStore } from '../domain/index.js';

/**
 * Makes an LRS credential: a random key and secret; only the secret's SHA-256 is stored (the
 * secret is 256 random bits, so a fast hash is enough, and /xapi checks it on every request).
 * Returns the secret this once. Throws `invalid_request` for an empty or over-long name.
 */
export async function createLrsCredential(store: LrsCredentialStore, name: string): Promise<{ credential: LrsCredential; secret: string }> {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 100) throw new AppError('invalid_request', 'A credential name is 1 to 100 characters.');
  requireStorableText('name', trimmed);
  const key = randomBytes(12).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const credential = await store.createLrsCredential({ name: trimmed, key, secretHash: hashLrsSecret(secret) });
  return { credential, secret };
}

export function hashLrsSecret(secret: string): string {
  return hash('sha256', secret, 'hex');
}

/** The credential an `Authorization: Basic ...` header names, when its secret matches; else null. */
export async function authenticateLrsCredential(store: LrsCredentialStore, authorization: string | undefined): Promise<LrsCredential | null> {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return null;
  const found = await store.findLrsCredential(decoded.slice(0, colon));
  if (!found) return null;
  const given = Buffer.from(hashLrsSecret(decoded.slice(colon + 1)), 'hex');
  const stored = Buffer.from(found.secretHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored) ? found.credential : null;
}
