import { describe, expect, it } from 'vitest';
import { homePathFor, isPathForRole, pathAfterSignIn, signInPathFrom } from './role-routes.js';

describe('role routes', () => {
  it('sends readers to their reading and consultants to the dashboard', () => {
    expect(homePathFor('reader')).toBe('/reading');
    expect(homePathFor('consultant')).toBe('/dashboard');
  });

  it('knows which pages belong to which role', () => {
    expect(isPathForRole('reader', '/reading/activity')).toBe(true);
    expect(isPathForRole('reader', '/readers/3')).toBe(false);
    expect(isPathForRole('consultant', '/readers/3')).toBe(true);
    expect(isPathForRole('consultant', '/readingx')).toBe(false);
    expect(isPathForRole('consultant', '/lrs-credentials')).toBe(true);
    expect(isPathForRole('reader', '/lrs-credentials')).toBe(false);
  });

  it('returns to the requested page only when it is local and the role may see it', () => {
    expect(pathAfterSignIn('consultant', '/readers/3')).toBe('/readers/3');
    expect(pathAfterSignIn('consultant', '/readers?search=ann')).toBe('/readers?search=ann');
    expect(pathAfterSignIn('reader', '/readers/3')).toBe('/reading');
    expect(pathAfterSignIn('reader', '//evil.example/reading')).toBe('/reading');
    expect(pathAfterSignIn('reader', 'https://evil.example')).toBe('/reading');
    expect(pathAfterSignIn('consultant', null)).toBe('/dashboard');
  });

  it('remembers where sign-in was asked for', () => {
    expect(signInPathFrom('/readers/3', '?x=1')).toBe('/sign-in?next=%2Freaders%2F3%3Fx%3D1');
    expect(signInPathFrom('/', '')).toBe('/sign-in');
  });
});
