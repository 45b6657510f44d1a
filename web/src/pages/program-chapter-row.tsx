import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { renameChapter } from '../api/client.js';
import { queryKeys } from '../api/query-keys.js';
import type { ChapterDto } from '../api/types.js';
import { ErrorMessage } from '../components/status-messages.js';
import { chapterTitleProblem } from '../program/chapter-form.js';

interface ChapterRowProps {
  readonly chapter: ChapterDto;
  readonly isFirst: boolean;
  readonly isLast: boolean;
  readonly isMoving: boolean;
  readonly onMove: (direction: 'up' | 'down') => void;
  readonly onRenamed: (chapter: ChapterDto) => void;
}

function RenameForm({ chapter, onDone }: { readonly chapter: ChapterDto; readonly onDone: (renamed: ChapterDto | null) => void }) {
  const queryClient = useQueryClient();
  const [title, setTitle] = useState(chapter.title);
  const [problem, setProblem] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.select(), []);
  const renameMutation = useMutation({
    mutationFn: (newTitle: string) => renameChapter(chapter.id, newTitle),
    onSuccess: (renamed) => {
      queryClient.setQueryData<ChapterDto[]>(queryKeys.chapters, (list) => list?.map((c) => (c.id === renamed.id ? renamed : c)));
      onDone(renamed);
    },
  });
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found = chapterTitleProblem(title);
    setProblem(found);
    if (found !== null) return input.current?.focus();
    renameMutation.mutate(title.trim());
  };
  const inputId = `rename-${chapter.id}`;
  return (
    <form className="rename-form" onSubmit={onSubmit} noValidate>
      <div className="field">
        <label htmlFor={inputId}>New title for {chapter.id}</label>
        <input
          ref={input}
          id={inputId}
          value={title}
          autoComplete="off"
          aria-invalid={problem !== null ? true : undefined}
          aria-describedby={problem !== null ? `${inputId}-error` : undefined}
          onChange={(e) => setTitle(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') onDone(null);
          }}
        />
        {problem !== null && (
          <p className="field-error" id={`${inputId}-error`}>
            {problem}
          </p>
        )}
      </div>
      {renameMutation.isError && <ErrorMessage error={renameMutation.error} prefix="Not renamed." />}
      <div className="button-row">
        <button type="submit" className="button button-primary" disabled={renameMutation.isPending}>
          {renameMutation.isPending ? 'Saving…' : 'Save title'}
        </button>
        <button type="button" className="button button-secondary" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** One chapter of the program with rename and move up / move down. */
export function ChapterRow({ chapter, isFirst, isLast, isMoving, onMove, onRenamed }: ChapterRowProps) {
  const [isRenaming, setIsRenaming] = useState(false);
  const renameButton = useRef<HTMLButtonElement>(null);
  return (
    <li className="program-row card">
      {isRenaming ? (
        <RenameForm
          chapter={chapter}
          onDone={(renamed) => {
            setIsRenaming(false);
            if (renamed !== null) onRenamed(renamed);
            requestAnimationFrame(() => renameButton.current?.focus());
          }}
        />
      ) : (
        <div className="program-row-main">
          <div>
            <span className="program-title">{chapter.title}</span>{' '}
            <span className="muted program-id">({chapter.id})</span>
          </div>
          <div className="button-row">
            <button ref={renameButton} type="button" className="button button-secondary button-small" onClick={() => setIsRenaming(true)}>
              Rename<span className="visually-hidden"> {chapter.title}</span>
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
