import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { recordActivity, saveMyMilestone } from '../api/client.js';
import { queryKeys } from '../api/query-keys.js';
import type { MilestoneDto, MilestoneInput } from '../api/types.js';
import { milestoneActivity } from '../progress/milestone-activity.js';
import { MILESTONE_STATUS_OPTIONS, statusLabel, validateMilestoneForm, type MilestoneFormValues } from '../progress/milestone-form.js';
import { ErrorMessage } from './status-messages.js';

interface MilestoneEditorProps {
  readonly chapterId: string;
  readonly chapterTitle: string;
  readonly milestone: MilestoneDto | null;
  /** Called after a successful save, with a sentence to announce. */
  readonly onSaved: (message: string) => void;
  readonly onCancel: () => void;
}

function replaceMilestone(list: MilestoneDto[] | undefined, saved: MilestoneDto): MilestoneDto[] {
  const others = (list ?? []).filter((m) => m.chapterId !== saved.chapterId);
  return [...others, saved];
}

/** The form for marking a chapter started, completed (with a score) or stuck. */
export function MilestoneEditor({ chapterId, chapterTitle, milestone, onSaved, onCancel }: MilestoneEditorProps) {
  const ids = useId();
  const queryClient = useQueryClient();
  const [values, setValues] = useState<MilestoneFormValues>({
    status: milestone?.status ?? '',
    score: milestone?.score === null || milestone?.score === undefined ? '' : String(milestone.score),
  });
  const [problem, setProblem] = useState<{ field: 'status' | 'score'; message: string } | null>(null);
  const firstRadio = useRef<HTMLInputElement>(null);
  const scoreInput = useRef<HTMLInputElement>(null);

  useEffect(() => firstRadio.current?.focus(), []);

  const saveMutation = useMutation({
    mutationFn: (input: MilestoneInput) => saveMyMilestone(chapterId, input),
    onSuccess: (saved) => {
      queryClient.setQueryData<MilestoneDto[]>(queryKeys.myMilestones, (list) => replaceMilestone(list, saved));
      // The change also goes into the reader's history (and consultants' view of it). A trace,
      // not part of the save: if it fails, the milestone is still saved.
      const activity = milestoneActivity(saved);
      recordActivity(activity.actionType, activity.metadata)
        .catch(() => undefined)
        .finally(() => void queryClient.invalidateQueries({ queryKey: queryKeys.myActivity }));
      const score = saved.score === null ? '' : ` with a score of ${saved.score}`;
      onSaved(`${chapterTitle}: marked ${statusLabel(saved.status).toLowerCase()}${score}.`);
    },
  });

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const result = validateMilestoneForm(values);
    if (!result.ok) {
      setProblem({ field: result.field, message: result.message });
      if (result.field === 'score') scoreInput.current?.focus();
      else firstRadio.current?.focus();
      return;
    }
    setProblem(null);
    saveMutation.mutate(result.input);
  };

  const statusErrorId = `${ids}-status-error`;
  const scoreErrorId = `${ids}-score-error`;
  const scoreHintId = `${ids}-score-hint`;
  return (
    <form className="milestone-editor" onSubmit={onSubmit} noValidate>
      <fieldset aria-describedby={problem?.field === 'status' ? statusErrorId : undefined}>
        <legend>Progress in {chapterTitle}</legend>
        <div className="radio-row">
          {MILESTONE_STATUS_OPTIONS.map((status, index) => (
            <label key={status} className="radio">
              <input
                ref={index === 0 ? firstRadio : undefined}
                type="radio"
                name={`${ids}-status`}
                value={status}
                checked={values.status === status}
                onChange={() => setValues((v) => ({ ...v, status }))}
              />
              {statusLabel(status)}
            </label>
          ))}
        </div>
        {problem?.field === 'status' && (
          <p className="field-error" id={statusErrorId}>
            {problem.message}
          </p>
        )}
      </fieldset>
      {values.status === 'completed' && (
        <div className="field field-narrow">
          <label htmlFor={`${ids}-score`}>Score</label>
          <input
            ref={scoreInput}
            id={`${ids}-score`}
            inputMode="numeric"
            autoComplete="off"
            value={values.score}
            aria-invalid={problem?.field === 'score' ? true : undefined}
            aria-describedby={problem?.field === 'score' ? `${scoreErrorId} ${scoreHintId}` : scoreHintId}
            onChange={(e) => setValues((v) => ({ ...v, score: e.target.value }))}
          />
          <p className="hint" id={scoreHintId}>
            A whole number from 0 to 100.
          </p>
          {problem?.field === 'score' && (
            <p className="field-error" id={scoreErrorId}>
              {problem.message}
            </p>
          )}
        </div>
      )}
      {saveMutation.isError && <ErrorMessage error={saveMutation.error} prefix="Not saved." />}
      <div className="button-row">
        <button type="submit" className="button button-primary" disabled={saveMutation.isPending}>
          {saveMutation.isPending ? 'Saving…' : 'Save'}
        </button>
        <button type="button" className="button button-secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
