import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/api-error.js';
import { activityIdProblem, isActivityIdTaken, chapterIdProblem, chapterTitleProblem, moveId } from './chapter-form.js';

describe('chapter form checks', () => {
  it('accepts ids the server accepts and explains the rest', () => {
    expect(chapterIdProblem('ch-01')).toBeNull();
    expect(chapterIdProblem('intro.v2_final')).toBeNull();
    expect(chapterIdProblem('')).toBe('Enter an ID for the chapter.');
    expect(chapterIdProblem('-leading')).toMatch(/letters, digits/);
    expect(chapterIdProblem('has space')).toMatch(/letters, digits/);
    expect(chapterIdProblem('x'.repeat(65))).toMatch(/up to 64/);
  });

  it('requires a title of sensible length', () => {
    expect(chapterTitleProblem('The beginning')).toBeNull();
    expect(chapterTitleProblem('   ')).toBe('Enter a title for the chapter.');
    expect(chapterTitleProblem('t'.repeat(201))).toMatch(/at most 200/);
  });
});

describe('a chapter\'s activity IRI', () => {
  it('is optional', () => {
    expect(activityIdProblem('')).toBeNull();
    expect(activityIdProblem('   ')).toBeNull();
  });

  it('accepts absolute IRIs with any scheme, non-ASCII letters included', () => {
    for (const iri of [
      'https://books.example/ch-07',
      'http://adlnet.gov/expapi/activities/course',
      'urn:isbn:0451450523',
      'tag:books.example,2026:chapter/7',
      'https://bücher.example/kapitel/über',
      '  https://books.example/ch-07  ',
    ]) {
      expect(activityIdProblem(iri), iri).toBeNull();
    }
  });

  it('refuses what is not an absolute IRI, saying what is expected', () => {
    for (const iri of ['ch-07', '/relative/path', '//books.example/ch', '7up:thing', 'https:', 'https://books.example/a b', 'https://books.example/<ch>', 'http://x/{y}']) {
      expect(activityIdProblem(iri), iri).toMatch(/absolute IRI with a scheme/);
    }
    expect(activityIdProblem(`https://books.example/${'a'.repeat(2048)}`)).toMatch(/at most 2048/);
  });
});

describe('a taken activity IRI', () => {
  const conflict = (detail: string, code = 'conflict') => new ApiError({ status: 409, code, title: 'Conflict', detail });

  it('is a 409 about the activity IRI to a save that sent one', () => {
    const taken = 'activityId is already the activity of chapter "ch-1"; a chapter\'s activityId must be its own.';
    expect(isActivityIdTaken(conflict(taken), 'https://x.example/a')).toBe(true);
    expect(isActivityIdTaken(conflict('Taken.', 'activity_id_taken'), 'https://x.example/a')).toBe(true);
  });

  it('is not a taken chapter ID, another status, or a save without an IRI', () => {
    expect(isActivityIdTaken(conflict('A chapter with that id exists already.'), 'https://x.example/a')).toBe(false);
    expect(isActivityIdTaken(conflict('The activity IRI is used.'), null)).toBe(false);
    expect(isActivityIdTaken(new ApiError({ status: 400, code: 'invalid_request', title: 'Bad', detail: 'activityId is bad' }), 'x:y')).toBe(false);
    expect(isActivityIdTaken(new Error('activity'), 'x:y')).toBe(false);
  });
});

describe('moveId', () => {
  it('moves an id up or down one place', () => {
    expect(moveId(['a', 'b', 'c'], 1, -1)).toEqual(['b', 'a', 'c']);
    expect(moveId(['a', 'b', 'c'], 1, 1)).toEqual(['a', 'c', 'b']);
  });

  it('leaves the order alone past either end', () => {
    expect(moveId(['a', 'b'], 0, -1)).toEqual(['a', 'b']);
    expect(moveId(['a', 'b'], 1, 1)).toEqual(['a', 'b']);
  });
});
