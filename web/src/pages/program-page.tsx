import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { createChapter, fetchChapters, reorderChapters } from '../api/client.js';
import { queryKeys } from '../api/query-keys.js';
import type { ChapterDto } from '../api/types.js';
import { Page } from '../components/page.js';
import { EmptyMessage, ErrorMessage, LoadingMessage } from '../components/status-messages.js';
import { ACTIVITY_ID_TAKEN, activityIdProblem, chapterIdProblem, chapterTitleProblem, isActivityIdTaken, moveId } from '../program/chapter-form.js';
import { ActivityIdField, ChapterRow } from './program-chapter-row.js';

type AddFormField = 'id' | 'title' | 'activityId';
type AddFormProblems = Readonly<Record<AddFormField, string | null>>;
const NO_PROBLEMS: AddFormProblems = { id: null, title: null, activityId: null };

function AddChapterForm({ onAdded }: { readonly onAdded: (chapter: ChapterDto) => void }) {
  const queryClient = useQueryClient();
  const [values, setValues] = useState<Readonly<Record<AddFormField, string>>>({ id: '', title: '', activityId: '' });
  const [problems, setProblems] = useState<AddFormProblems>(NO_PROBLEMS);
  const addMutation = useMutation({
    mutationFn: createChapter,
    onSuccess: (chapter) => {
      queryClient.setQueryData<ChapterDto[]>(queryKeys.chapters, (list) => [...(list ?? []), chapter]);
      void queryClient.invalidateQueries({ queryKey: queryKeys.chapters });
      setValues({ id: '', title: '', activityId: '' });
      setProblems(NO_PROBLEMS);
      onAdded(chapter);
    },
    onError: (error, input) => {
      // A taken IRI is said beside its field; other failures under the form.
      if (isActivityIdTaken(error, input.activityId ?? null)) {
        setProblems((found) => ({ ...found, activityId: ACTIVITY_ID_TAKEN }));
        document.getElementById('new-chapter-activity-id')?.focus();
      }
    },
  });
  // An edit makes earlier complaints about that field, and the server's answer, out of date.
  const change = (field: AddFormField, value: string) => {
    setValues((old) => ({ ...old, [field]: value }));
    setProblems((found) => (found[field] === null ? found : { ...found, [field]: null }));
    if (addMutation.isError) addMutation.reset();
  };
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found = { id: chapterIdProblem(values.id), title: chapterTitleProblem(values.title), activityId: activityIdProblem(values.activityId) };
    setProblems(found);
    const first = (['id', 'title', 'activityId'] as const).find((field) => found[field] !== null);
    if (first !== undefined) return document.getElementById(FIELD_IDS[first])?.focus();
    const activityId = values.activityId.trim();
    addMutation.mutate({ id: values.id.trim(), title: values.title.trim(), ...(activityId === '' ? {} : { activityId }) });
  };
  const serverError = addMutation.isError && problems.activityId !== ACTIVITY_ID_TAKEN;
  return (
    <form className="card add-chapter" onSubmit={onSubmit} noValidate aria-labelledby="add-chapter-heading">
      <h2 id="add-chapter-heading">Add a chapter</h2>
      <div className="field-row">
        <div className="field">
          <label htmlFor="new-chapter-id">ID</label>
          <input
            id="new-chapter-id"
            value={values.id}
            autoComplete="off"
            spellCheck={false}
            aria-invalid={problems.id !== null ? true : undefined}
            aria-describedby={problems.id !== null ? 'new-chapter-id-error new-chapter-id-hint' : 'new-chapter-id-hint'}
            onChange={(e) => change('id', e.target.value)}
          />
          <p className="hint" id="new-chapter-id-hint">
            Short and permanent, e.g. <code>ch-07</code>.
          </p>
          {problems.id !== null && (
            <p className="field-error" id="new-chapter-id-error">
              {problems.id}
            </p>
          )}
        </div>
        <div className="field field-grow">
          <label htmlFor="new-chapter-title">Title</label>
          <input
            id="new-chapter-title"
            value={values.title}
            autoComplete="off"
            aria-invalid={problems.title !== null ? true : undefined}
            aria-describedby={problems.title !== null ? 'new-chapter-title-error' : undefined}
            onChange={(e) => change('title', e.target.value)}
          />
          {problems.title !== null && (
            <p className="field-error" id="new-chapter-title-error">
              {problems.title}
            </p>
          )}
        </div>
      </div>
      <ActivityIdField
        inputId="new-chapter-activity-id"
        value={values.activityId}
        problem={problems.activityId}
        onChange={(value) => change('activityId', value)}
      />
      {serverError && <ErrorMessage error={addMutation.error} prefix="Not added." />}
      <button type="submit" className="button button-primary" disabled={addMutation.isPending}>
        {addMutation.isPending ? 'Adding…' : 'Add chapter'}
      </button>
    </form>
  );
}

const FIELD_IDS: Readonly<Record<AddFormField, string>> = {
  id: 'new-chapter-id',
  title: 'new-chapter-title',
  activityId: 'new-chapter-activity-id',
};

/** The consultant's view of the reading program: add, edit (title, activity IRI) and reorder chapters. */
export function ProgramPage() {
  const queryClient = useQueryClient();
  const [announcement, setAnnouncement] = useState('');
  const chaptersQuery = useQuery({ queryKey: queryKeys.chapters, queryFn: fetchChapters });
  const chapters = [...(chaptersQuery.data ?? [])].sort((a, b) => a.position - b.position);

  const reorderMutation = useMutation({
    mutationFn: (move: { ids: string[]; chapter: ChapterDto; direction: 'up' | 'down' }) => reorderChapters(move.ids),
    onSuccess: (ordered, move) => {
      queryClient.setQueryData(queryKeys.chapters, ordered);
      const position = move.ids.indexOf(move.chapter.id) + 1;
      setAnnouncement(`Moved “${move.chapter.title}” to position ${position} of ${move.ids.length}.`);
      requestAnimationFrame(() => {
        const same = document.getElementById(`move-${move.direction}-${move.chapter.id}`);
        const other = document.getElementById(`move-${move.direction === 'up' ? 'down' : 'up'}-${move.chapter.id}`);
        (same instanceof HTMLButtonElement && !same.disabled ? same : other)?.focus();
      });
    },
  });

  const move = (index: number, direction: 'up' | 'down') => {
    const chapter = chapters[index];
    if (chapter === undefined) return;
    const ids = moveId(
      chapters.map((c) => c.id),
      index,
      direction === 'up' ? -1 : 1,
    );
    reorderMutation.mutate({ ids, chapter, direction });
  };

  return (
    <Page title="Program" intro="The chapters readers work through, in order.">
      <div role="status" className={announcement === '' ? undefined : 'notice notice-success'}>
        {announcement}
      </div>
      {reorderMutation.isError && <ErrorMessage error={reorderMutation.error} prefix="Order not changed." />}
      {chaptersQuery.isPending ? (
        <LoadingMessage>Loading chapters…</LoadingMessage>
      ) : chaptersQuery.data === undefined ? (
        <ErrorMessage error={chaptersQuery.error} onRetry={() => void chaptersQuery.refetch()} />
      ) : chapters.length === 0 ? (
        <EmptyMessage>No chapters yet. Add the first one below.</EmptyMessage>
      ) : (
        <ol className="program-list">
          {chapters.map((chapter, index) => (
            <ChapterRow
              key={chapter.id}
              chapter={chapter}
              isFirst={index === 0}
              isLast={index === chapters.length - 1}
              isMoving={reorderMutation.isPending}
              onMove={(direction) => move(index, direction)}
              onEdited={(edited) => {
                reorderMutation.reset();
                setAnnouncement(`Saved “${edited.title}”.`);
              }}
            />
          ))}
        </ol>
      )}
      <AddChapterForm
        onAdded={(chapter) => {
          reorderMutation.reset();
          setAnnouncement(`Added “${chapter.title}”.`);
        }}
      />
    </Page>
  );
}
