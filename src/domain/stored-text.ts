import { AppError } from './app-error.js';

/**
 * Checks that a text a person typed (a name, a title) can be stored by every engine: PostgreSQL's
 * text cannot hold U+0000, so neither engine accepts it (ADR 0015). Throws `invalid_request`.
 */
export function requireStorableText(field: string, value: string): void {
  if (value.includes('\u0000')) {
    throw new AppError('invalid_request', `${field} must not contain a NUL character (U+0000).`);
  }
}
