import { describe, expect, it } from 'vitest';
import { statusLabel, validateMilestoneForm } from './milestone-form.js';

describe('validateMilestoneForm', () => {
  it('asks for a status when none is chosen', () => {
    expect(validateMilestoneForm({ status: '', score: '' })).toEqual({
      ok: false,
      field: 'status',
      message: 'Choose a status.',
    });
  });

  it('sends started and stuck without a score, whatever the score field holds', () => {
    expect(validateMilestoneForm({ status: 'started', score: '' })).toEqual({ ok: true, input: { status: 'started' } });
    expect(validateMilestoneForm({ status: 'stuck', score: '77' })).toEqual({ ok: true, input: { status: 'stuck' } });
  });

  it('requires a score for a completed chapter', () => {
    const result = validateMilestoneForm({ status: 'completed', score: '  ' });
    expect(result.ok).toBe(false);
    expect(result.ok === false && result.field).toBe('score');
  });

  it.each(['0', '55', '100', ' 42 '])('accepts the score %j', (score) => {
    expect(validateMilestoneForm({ status: 'completed', score })).toEqual({
      ok: true,
      input: { status: 'completed', score: Number(score.trim()) },
    });
  });

  it.each(['101', '-1', '4.5', 'abc', '1e2', '0x10', '1000'])('rejects the score %j', (score) => {
    expect(validateMilestoneForm({ status: 'completed', score })).toEqual({
      ok: false,
      field: 'score',
      message: 'The score must be a whole number from 0 to 100.',
    });
  });
});

describe('statusLabel', () => {
  it('names every status and the absence of one', () => {
    expect(statusLabel(null)).toBe('Not started');
    expect(statusLabel('started')).toBe('Started');
    expect(statusLabel('completed')).toBe('Completed');
    expect(statusLabel('stuck')).toBe('Stuck');
  });
});
