import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent, type Ref } from 'react';
import { updateChapter } from '../api/client.js';
import { queryKeys } from '../api/query-keys.js';
import type { ChapterDto } from '../api/types.js';
import { ErrorMessage } from '../components/status-messages.js';
import { ACTIVITY_ID_TAKEN, activityIdProblem, chapterTitleProblem, isActivityIdTaken } from '../program/chapter-form.js';

interface ChapterRowProps {
  readonly chapter: ChapterDto;
  readonly isFirst: boolean;
  readonly isLast: boolean;
  readonly isMoving: boolean;
  readonly onMove: (direction: 'up' | 'down') => void;
  readonly onEdited: (chapter: ChapterDto) => void;
}

interface ActivityIdFieldProps {
  readonly inputId: string;
  readonly value: string;
  readonly problem: string | null;
  readonly onChange: (value: string) => void;
  readonly inputRef?: Ref<HTMLInputElement>;
}

/** The optional "Activity IRI" input of the chapter forms, with its hint and its problem beside it. */
export function ActivityIdField({ inputId, value, problem, onChange, inputRef }: ActivityIdFieldProps) {
  return (
    <div className="field">
      <label htmlFor={inputId}>
        Activity IRI <span className="optional">(optional)</span>
      </label>
      <input
        ref={inputRef}
        id={inputId}
        value={value}
        autoComplete="off"
        spellCheck={false}
        inputMode="url"
        aria-invalid={problem !== null ? true : undefined}
        aria-describedby={problem !== null ? `${inputId}-error ${inputId}-hint` : `${inputId}-hint`}
        onChange={(e) => onChange(e.target.value)}
      />
      <p className="hint" id={`${inputId}-hint`}>
        The xAPI activity id content uses for this chapter, e.g. <code>https://books.example/ch-07</code>. Statements about it
        start, complete or mark this chapter stuck.
      </p>
      {problem !== null && (
        <p className="field-error" id={`${inputId}-error`}>
          {problem}
        </p>
      )}
    </div>
  );
}

type EditField = 'title' | 'activityId';

/** Changes a chapter's title and activity IRI (an empty IRI takes it away). */
function EditForm({ chapter, onDone }: { readonly chapter: ChapterDto; readonly onDone: (edited: ChapterDto | null) => void }) {
  const queryClient = useQueryClient();
  const [values, setValues] = useState<Readonly<Record<EditField, string>>>({ title: chapter.title, activityId: chapter.activityId ?? '' });
  const [problems, setProblems] = useState<Readonly<Record<EditField, string | null>>>({ title: null, activityId: null });
  const titleInput = useRef<HTMLInputElement>(null);
  const iriInput = useRef<HTMLInputElement>(null);
  useEffect(() => titleInput.current?.select(), []);
  const saveMutation = useMutation({
    mutationFn: (changes: { title?: string; activityId?: string | null }) => updateChapter(chapter.id, changes),
    onSuccess: (edited) => {
      queryClient.setQueryData<ChapterDto[]>(queryKeys.chapters, (list) => list?.map((c) => (c.id === edited.id ? edited : c)));
      void queryClient.invalidateQueries({ queryKey: queryKeys.chapters });
      onDone(edited);
    },
    onError: (error, changes) => {
      if (isActivityIdTaken(error, changes.activityId ?? null)) {
        setProblems((found) => ({ ...found, activityId: ACTIVITY_ID_TAKEN }));
        iriInput.current?.focus();
      }
    },
  });
  const change = (field: EditField, value: string) => {
    setValues((old) => ({ ...old, [field]: value }));
    setProblems((found) => (found[field] === null ? found : { ...found, [field]: null }));
    if (saveMutation.isError) saveMutation.reset();
  };
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found = { title: chapterTitleProblem(values.title), activityId: activityIdProblem(values.activityId) };
    setProblems(found);
    if (found.title !== null) return titleInput.current?.focus();
    if (found.activityId !== null) return iriInput.current?.focus();
    const title = values.title.trim();
    const activityId = values.activityId.trim() === '' ? null : values.activityId.trim();
    const changes = {
      ...(title !== chapter.title ? { title } : {}),
      ...(activityId !== (chapter.activityId ?? null) ? { activityId } : {}),
    };
    if (Object.keys(changes).length === 0) return onDone(null);
    saveMutation.mutate(changes);
  };
  const titleId = `edit-title-${chapter.id}`;
  const serverError = saveMutation.isError && problems.activityId !== ACTIVITY_ID_TAKEN;
  return (
    <form className="rename-form" onSubmit={onSubmit} noValidate aria-label={`Edit ${chapter.id}`}>
      <div className="field">
        <label htmlFor={titleId}>Title of {chapter.id}</label>
        <input
          ref={titleInput}
          id={titleId}
          value={values.title}
          autoComplete="off"
          aria-invalid={problems.title !== null ? true : undefined}
          aria-describedby={problems.title !== null ? `${titleId}-error` : undefined}
          onChange={(e) => change('title', e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') onDone(null);
          }}
        />
        {problems.title !== null && (
          <p className="field-error" id={`${titleId}-error`}>
            {problems.title}
          </p>
        )}
      </div>
      <ActivityIdField
        inputId={`edit-activity-id-${chapter.id}`}
        inputRef={iriInput}
        value={values.activityId}
        problem={problems.activityId}
        onChange={(value) => change('activityId', value)}
      />
      {serverError && <ErrorMessage error={saveMutation.error} prefix="Not saved." />}
      <div className="button-row">
        <button type="submit" className="button button-primary" disabled={saveMutation.isPending}>
          {saveMutation.isPending ? 'Saving…' : 'Save chapter'}
        </button>
        <button type="button" className="button button-secondary" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** One chapter of the program, with its activity IRI, edit and move up / move down. */
export function ChapterRow({ chapter, isFirst, isLast, isMoving, onMove, onEdited }: ChapterRowProps) {
  const [isEditing, setIsEditing] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);
  return (
    <li className="program-row card" data-chapter-id={chapter.id}>
      {isEditing ? (
        <EditForm
          chapter={chapter}
          onDone={(edited) => {
            setIsEditing(false);
            if (edited !== null) onEdited(edited);
            requestAnimationFrame(() => editButton.current?.focus());
          }}
        />
      ) : (
        <div className="program-row-main">
          <div className="program-row-text">
            <div>
              <span className="program-title">{chapter.title}</span>{' '}
              <span className="muted program-id">({chapter.id})</span>
            </div>
            <div className="chapter-iri-line" data-testid="chapter-iri">
              Activity IRI:{' '}
              {chapter.activityId === null || chapter.activityId === undefined ? (
                <span>none</span>
              ) : (
                <code className="chapter-iri">{chapter.activityId}</code>
              )}
            </div>
          </div>
          <div className="button-row">
            <button
              ref={editButton}
              type="button"
              className="button button-secondary button-small"
              aria-label={`Edit ${chapter.title}`}
              onClick={() => setIsEditing(true)}
            >
              Edit
            </button>
            <button
              id={`move-up-${chapter.id}`}
              type="button"
              className="button button-secondary button-small"
              disabled={isFirst || isMoving}
              aria-label={`Move ${chapter.title} up`}
              onClick={() => onMove('up')}
            >
              <span aria-hidden="true">↑</span> Up
            </button>
            <button
              id={`move-down-${chapter.id}`}
              type="button"
              className="button button-secondary button-small"
              disabled={isLast || isMoving}
              aria-label={`Move ${chapter.title} down`}
              onClick={() => onMove('down')}
            >
              <span aria-hidden="true">↓</span> Down
            </button>
          </div>
        </div>
      )}
    </li>
  );
}
