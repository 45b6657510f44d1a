import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { createChapter, fetchChapters, reorderChapters } from '../api/client.js';
import { queryKeys } from '../api/query-keys.js';
import type { ChapterDto } from '../api/types.js';
import { Page } from '../components/page.js';
import { EmptyMessage, ErrorMessage, LoadingMessage } from '../components/status-messages.js';
import { chapterIdProblem, chapterTitleProblem, moveId } from '../program/chapter-form.js';
import { ChapterRow } from './program-chapter-row.js';

function AddChapterForm({ onAdded }: { readonly onAdded: (chapter: ChapterDto) => void }) {
  const queryClient = useQueryClient();
  const [id, setId] = useState('');
  const [title, setTitle] = useState('');
  const [problems, setProblems] = useState<{ id: string | null; title: string | null }>({ id: null, title: null });
  const addMutation = useMutation({
    mutationFn: createChapter,
    onSuccess: (chapter) => {
      queryClient.setQueryData<ChapterDto[]>(queryKeys.chapters, (list) => [...(list ?? []), chapter]);
      void queryClient.invalidateQueries({ queryKey: queryKeys.chapters });
      setId('');
      setTitle('');
      onAdded(chapter);
    },
  });
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found = { id: chapterIdProblem(id), title: chapterTitleProblem(title) };
    setProblems(found);
    if (found.id !== null) return document.getElementById('new-chapter-id')?.focus();
    if (found.title !== null) return document.getElementById('new-chapter-title')?.focus();
    addMutation.mutate({ id: id.trim(), title: title.trim() });
  };
  return (
    <form className="card add-chapter" onSubmit={onSubmit} noValidate aria-labelledby="add-chapter-heading">
      <h2 id="add-chapter-heading">Add a chapter</h2>
      <div className="field-row">
        <div className="field">
          <label htmlFor="new-chapter-id">ID</label>
          <input
            id="new-chapter-id"
            value={id}
            autoComplete="off"
            spellCheck={false}
            aria-invalid={problems.id !== null ? true : undefined}
            aria-describedby={problems.id !== null ? 'new-chapter-id-error new-chapter-id-hint' : 'new-chapter-id-hint'}
            onChange={(e) => setId(e.target.value)}
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
            value={title}
            autoComplete="off"
            aria-invalid={problems.title !== null ? true : undefined}
            aria-describedby={problems.title !== null ? 'new-chapter-title-error' : undefined}
            onChange={(e) => setTitle(e.target.value)}
          />
          {problems.title !== null && (
            <p className="field-error" id="new-chapter-title-error">
              {problems.title}
            </p>
          )}
        </div>
      </div>
      {addMutation.isError && <ErrorMessage error={addMutation.error} prefix="Not added." />}
      <button type="submit" className="button button-primary" disabled={addMutation.isPending}>
        {addMutation.isPending ? 'Adding…' : 'Add chapter'}
      </button>
    </form>
  );
}

/** The consultant's view of the reading program: add, rename and reorder chapters. */
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
              onRenamed={(renamed) => {
                reorderMutation.reset();
                setAnnouncement(`Renamed to “${renamed.title}”.`);
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
