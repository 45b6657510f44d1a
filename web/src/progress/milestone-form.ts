import type { MilestoneInput, MilestoneStatus } from '../api/types.js';

export const MILESTONE_STATUS_OPTIONS: readonly MilestoneStatus[] = ['started', 'completed', 'stuck'];

const STATUS_LABELS: Readonly<Record<MilestoneStatus, string>> = {
  started: 'Started',
  completed: 'Completed',
  stuck: 'Stuck',
};

/** The label people see for a status; a chapter without a milestone is "Not started". */
export function statusLabel(status: MilestoneStatus | null): string {
  return status === null ? 'Not started' : STATUS_LABELS[status];
}

/** What the milestone form holds while someone edits it: the score is the field's raw text. */
export interface MilestoneFormValues {
  readonly status: MilestoneStatus | '';
  readonly score: string;
}

export type MilestoneFormResult =
  | { readonly ok: true; readonly input: MilestoneInput }
  | { readonly ok: false; readonly field: 'status' | 'score'; readonly message: string };

/**
 * Checks the milestone form and builds the request body. A completed chapter needs a whole-number
 * score from 0 to 100; started and stuck send no score.
 */
export function validateMilestoneForm(values: MilestoneFormValues): MilestoneFormResult {
  if (values.status === '') return { ok: false, field: 'status', message: 'Choose a status.' };
  if (values.status !== 'completed') return { ok: true, input: { status: values.status } };
  const scoreText = values.score.trim();
  if (scoreText === '') {
    return { ok: false, field: 'score', message: 'Enter a score from 0 to 100 for a completed chapter.' };
  }
  if (!/^\d{1,3}$/.test(scoreText) || Number(scoreText) > 100) {
    return { ok: false, field: 'score', message: 'The score must be a whole number from 0 to 100.' };
  }
  return { ok: true, input: { status: 'completed', score: Number(scoreText) } };
}
