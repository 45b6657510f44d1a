import { describe, expect, it } from 'vitest';
import { matchRoute, parsePositiveId } from './match-route.js';

describe('matchRoute', () => {
  it('matches static paths, ignoring a trailing slash', () => {
    expect(matchRoute('/dashboard', '/dashboard')).toEqual({});
    expect(matchRoute('/dashboard', '/dashboard/')).toEqual({});
    expect(matchRoute('/', '/')).toEqual({});
    expect(matchRoute('/dashboard', '/readers')).toBeNull();
  });

  it('captures and decodes parameters', () => {
    expect(matchRoute('/readers/:id', '/readers/42')).toEqual({ id: '42' });
    expect(matchRoute('/chapters/:id', '/chapters/intro%20one')).toEqual({ id: 'intro one' });
  });

  it('does not match a different number of segments or a broken escape', () => {
    expect(matchRoute('/readers/:id', '/readers')).toBeNull();
    expect(matchRoute('/readers/:id', '/readers/1/extra')).toBeNull();
    expect(matchRoute('/readers/:id', '/readers/%E0%A4%A')).toBeNull();
  });
});

describe('parsePositiveId', () => {
  it('accepts positive integers only', () => {
    expect(parsePositiveId('7')).toBe(7);
    expect(parsePositiveId('0')).toBeNull();
    expect(parsePositiveId('007')).toBeNull();
    expect(parsePositiveId('1.5')).toBeNull();
    expect(parsePositiveId(undefined)).toBeNull();
  });
});
