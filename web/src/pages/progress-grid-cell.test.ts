import { describe, expect, it } from 'vitest';
import { cellText } from './progress-grid-page.js';

describe('grid cells say their state in words, not colour alone', () => {
  it.each([
    [{ status: null, score: null, updatedAt: null }, 'Not yet'],
    [{ status: 'started', score: null, updatedAt: null }, 'Started'],
    [{ status: 'stuck', score: null, updatedAt: null }, 'Stuck'],
    [{ status: 'completed', score: 80, updatedAt: null }, 'Done 80'],
    [{ status: 'completed', score: null, updatedAt: null }, 'Done'],
  ] as const)('%o reads %s', (cell, text) => {
    expect(cellText(cell)).toBe(text);
  });
});
