import { describe, expect, it } from 'vitest';
import { formatDateTime, formatTimeAgo } from './relative-time.js';

const NOW = '2026-11-24T18:45:10.123Z';
const secondsBefore = (seconds: number): string => new Date(Date.parse(NOW) - seconds * 1000).toISOString();

describe('formatTimeAgo', () => {
  it('says "just now" for the last few seconds and for small clock skew into the future', () => {
    expect(formatTimeAgo(NOW, NOW)).toBe('just now');
    expect(formatTimeAgo(secondsBefore(4), NOW)).toBe('just now');
    expect(formatTimeAgo(secondsBefore(-3), NOW)).toBe('just now');
  });

  it('counts seconds, minutes, hours and days with the right plural', () => {
    expect(formatTimeAgo(secondsBefore(12), NOW)).toBe('12 seconds ago');
    expect(formatTimeAgo(secondsBefore(59.9), NOW)).toBe('59 seconds ago');
    expect(formatTimeAgo(secondsBefore(60), NOW)).toBe('1 minute ago');
    expect(formatTimeAgo(secondsBefore(150), NOW)).toBe('2 minutes ago');
    expect(formatTimeAgo(secondsBefore(3600), NOW)).toBe('1 hour ago');
    expect(formatTimeAgo(secondsBefore(86_400 * 3), NOW)).toBe('3 days ago');
    expect(formatTimeAgo(secondsBefore(86_400 * 65), NOW)).toBe('2 months ago');
    expect(formatTimeAgo(secondsBefore(86_400 * 800), NOW)).toBe('2 years ago');
  });

  it('accepts the current time as epoch milliseconds', () => {
    expect(formatTimeAgo(secondsBefore(30), Date.parse(NOW))).toBe('30 seconds ago');
  });

  it('says "never" for a missing time and does not invent one for a bad time', () => {
    expect(formatTimeAgo(null, NOW)).toBe('never');
    expect(formatTimeAgo('not a time', NOW)).toBe('at an unknown time');
  });
});

describe('formatDateTime', () => {
  it('formats a valid time and gives an empty string otherwise', () => {
    expect(formatDateTime(NOW)).toMatch(/2026/);
    expect(formatDateTime(null)).toBe('');
    expect(formatDateTime('nope')).toBe('');
  });
});
