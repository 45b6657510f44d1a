import { describe, expect, it } from 'vitest';
import { dayEndIso, dayStartIso } from './day-range.js';

describe('a From/To day range as the API reads it (to exclusive)', () => {
  it('"From" is the day\'s start and "To" the next day\'s start, so the whole "To" day is in range', () => {
    expect(dayStartIso('2026-12-01')).toBe('2026-12-01T00:00:00.000Z');
    expect(dayEndIso('2026-12-01')).toBe('2026-12-02T00:00:00.000Z');
    expect(dayEndIso('2026-12-31')).toBe('2027-01-01T00:00:00.000Z');
    expect(dayEndIso('2028-02-28')).toBe('2028-02-29T00:00:00.000Z');
  });

  it('a one-day range (From = To) spans 24 hours', () => {
    expect(Date.parse(dayEndIso('2026-03-29')!) - Date.parse(dayStartIso('2026-03-29')!)).toBe(24 * 60 * 60 * 1000);
  });

  it('no value or no real day gives no bound', () => {
    for (const day of [null, '', '2026-13-01', '2026-02-30', '1 Dec 2026', '2026-12-01T00:00']) {
      expect(dayStartIso(day)).toBeUndefined();
      expect(dayEndIso(day)).toBeUndefined();
    }
  });
});
