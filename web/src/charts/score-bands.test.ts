import { describe, expect, it } from 'vitest';
import { scoreBands } from './score-distribution-chart.js';

describe('scoreBands', () => {
  it('puts scores in bands of ten, with 100 in the last band', () => {
    const bands = scoreBands([0, 9, 10, 55, 90, 99, 100]);
    expect(bands.map((b) => b.label)).toEqual(['0–9', '10–19', '20–29', '30–39', '40–49', '50–59', '60–69', '70–79', '80–89', '90–100']);
    expect(bands.map((b) => b.count)).toEqual([2, 1, 0, 0, 0, 1, 0, 0, 0, 3]);
  });
});
