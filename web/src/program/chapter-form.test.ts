import { describe, expect, it } from 'vitest';
import { chapterIdProblem, chapterTitleProblem, moveId } from './chapter-form.js';

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
