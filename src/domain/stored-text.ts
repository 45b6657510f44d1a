import { AppError } from './app-error.js';

/** A UTF-16 surrogate not part of a pair: not a character, and no engine can store it as sent. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * Checks that a text a person typed (a name, a title) can be stored by every engine: PostgreSQL's
 * text cannot hold U+0000, so neither engine accepts it (ADR 0015); an unpaired UTF-16 surrogate
 * would be stored as U+FFFD (both drivers write UTF-8), so it is refused too. Throws `invalid_request`.
 */
export function requireStorableText(field: string, value: string): void {
  if (value.includes('\u0000')) {
    throw new AppError('invalid_request', `${field} must not contain a NUL character (U+0000).`);
  }
  if (LONE_SURROGATE.test(value)) {
    throw new AppError('invalid_request', `${field} must be valid Unicode text (it holds an unpaired UTF-16 surrogate).`);
  }
}
