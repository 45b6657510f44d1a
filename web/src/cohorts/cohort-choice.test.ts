import { describe, expect, it } from 'vitest';
import { cohortFromSearch, withCohort } from './cohort-choice.js';

describe('the cohort in the address', () => {
  it('is read from ?cohort= only when it is a positive whole number', () => {
    expect(cohortFromSearch('?cohort=3&x=1')).toBe(3);
    expect(cohortFromSearch('?cohort=0')).toBeNull();
    expect(cohortFromSearch('?cohort=abc')).toBeNull();
    expect(cohortFromSearch('')).toBeNull();
  });

  it('is carried to every consultant page, and nowhere else', () => {
    expect(withCohort('/program/grid', 3)).toBe('/program/grid?cohort=3');
    expect(withCohort('/readers?search=ada', 3)).toBe('/readers?search=ada&cohort=3');
    expect(withCohort('/readers/9', 3)).toBe('/readers/9?cohort=3');
    expect(withCohort('/readers?cohort=5', 3)).toBe('/readers?cohort=5');
    expect(withCohort('/reading', 3)).toBe('/reading');
    expect(withCohort('/sign-in', 3)).toBe('/sign-in');
    expect(withCohort('/dashboard', null)).toBe('/dashboard');
  });
});
