import { describe, expect, it } from 'vitest';
import { ApiError, describeError, isApiError, networkError, parseProblem } from './api-error.js';

describe('parseProblem', () => {
  it('takes the detail and code of a problem+json body', () => {
    const body = JSON.stringify({
      type: 'https://readpulse.dev/problems/conflict',
      title: 'Conflict',
      status: 409,
      detail: 'That email is already registered.',
      code: 'conflict',
    });
    const error = parseProblem(409, body);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(409);
    expect(error.code).toBe('conflict');
    expect(error.detail).toBe('That email is already registered.');
    expect(error.message).toBe('That email is already registered.');
  });

  it('falls back to the title when there is no detail', () => {
    expect(parseProblem(400, JSON.stringify({ title: 'Bad input', status: 400 })).detail).toBe('Bad input');
  });

  it('gives a plain sentence for a body that is not JSON, such as a proxy error page', () => {
    const error = parseProblem(502, '<html><body>Bad gateway</body></html>');
    expect(error.detail).toMatch(/not answering/);
    expect(error.code).toBe('internal');
  });

  it('derives the code from the status when the body has none', () => {
    expect(parseProblem(401, '').code).toBe('unauthenticated');
    expect(parseProblem(429, '').detail).toMatch(/Too many attempts/);
    expect(parseProblem(418, '').detail).toMatch(/unexpected status \(418\)/);
  });

  it('ignores JSON that is not an object', () => {
    expect(parseProblem(404, '"nope"').detail).toBe('That could not be found.');
  });
});

describe('describeError', () => {
  it('shows the detail of an API error and a generic sentence otherwise', () => {
    expect(describeError(networkError())).toMatch(/Could not reach ReadPulse/);
    expect(describeError(new TypeError('x is undefined'))).toBe('Something unexpected went wrong. Please try again.');
  });
});

describe('isApiError', () => {
  it('checks the status when asked to', () => {
    const error = parseProblem(403, '');
    expect(isApiError(error)).toBe(true);
    expect(isApiError(error, 403)).toBe(true);
    expect(isApiError(error, 401)).toBe(false);
    expect(isApiError(new Error('x'))).toBe(false);
  });
});
