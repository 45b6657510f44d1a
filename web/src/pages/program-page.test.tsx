// @vitest-environment jsdom
import { QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChapterDto } from '../api/types.js';
import { createQueryClient } from '../session/create-query-client.js';
import { ProgramPage } from './program-page.js';

const IRI = 'https://books.example/ch-1';
const first: ChapterDto = { id: 'ch-1', title: 'Opening', position: 1, activityId: IRI };
const second: ChapterDto = { id: 'ch-2', title: 'Close reading', position: 2, activityId: null };

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const problem = (status: number, detail: string, code: string) => json({ type: 'about:blank', title: 'Conflict', status, detail, code }, status);
// The server's own words for the two conflicts.
const IRI_TAKEN = () => problem(409, 'activityId is already the activity of chapter "ch-1"; a chapter\'s activityId must be its own.', 'conflict');

type Handler = (method: string, path: string, body: Record<string, unknown> | undefined) => Response | undefined;

/** A fake API: GET /api/chapters lists `chapters` (as they are now); other calls go to `handle`. Every call is kept. */
function serve(chapters: ChapterDto[] | (() => ChapterDto[]), handle: Handler = () => undefined) {
  const calls: { method: string; path: string; body: Record<string, unknown> | undefined }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const method = init?.method ?? 'GET';
      const path = String(input);
      const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : undefined;
      calls.push({ method, path, body });
      return handle(method, path, body) ?? json({ chapters: typeof chapters === 'function' ? chapters() : chapters });
    }),
  );
  return calls;
}

function renderPage() {
  render(
    <QueryClientProvider client={createQueryClient()}>
      <ProgramPage />
    </QueryClientProvider>,
  );
}

const addForm = () => within(screen.getByRole('form', { name: 'Add a chapter' }));
const writes = (calls: ReturnType<typeof serve>) => calls.filter((c) => c.method !== 'GET');

beforeEach(() => {
  window.history.replaceState(null, '', '/program');
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe('ProgramPage: a chapter\'s activity IRI', () => {
  it('shows each chapter\'s IRI, or none', async () => {
    serve([first, second]);
    renderPage();
    await screen.findByText('Opening');
    const rows = screen.getAllByTestId('chapter-iri').map((line) => line.textContent);
    expect(rows).toEqual([`Activity IRI: ${IRI}`, 'Activity IRI: none']);
  });

  it('adds a chapter with an IRI, after checking it is absolute, and sends none when the field is empty', async () => {
    const calls = serve([first], (method, _path, body) =>
      method === 'POST' ? json({ chapter: { ...body, position: 2, activityId: body?.activityId ?? null } }, 201) : undefined,
    );
    renderPage();
    await screen.findByText('Opening');
    const form = addForm();
    fireEvent.change(form.getByLabelText('ID'), { target: { value: 'ch-2' } });
    fireEvent.change(form.getByLabelText('Title'), { target: { value: 'Close reading' } });
    fireEvent.change(form.getByLabelText(/Activity IRI/), { target: { value: 'books/ch-2' } });
    fireEvent.click(form.getByRole('button', { name: 'Add chapter' }));
    expect(form.getByText(/absolute IRI with a scheme/)).toBeTruthy();
    expect(form.getByLabelText(/Activity IRI/).getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(form.getByLabelText(/Activity IRI/));
    expect(writes(calls)).toEqual([]);

    fireEvent.change(form.getByLabelText(/Activity IRI/), { target: { value: ' https://books.example/ch-2 ' } });
    expect(form.queryByText(/absolute IRI with a scheme/)).toBeNull();
    fireEvent.click(form.getByRole('button', { name: 'Add chapter' }));
    await screen.findByText('Added “Close reading”.');
    expect(writes(calls)).toEqual([
      { method: 'POST', path: '/api/chapters', body: { id: 'ch-2', title: 'Close reading', activityId: 'https://books.example/ch-2' } },
    ]);

    fireEvent.change(form.getByLabelText('ID'), { target: { value: 'ch-3' } });
    fireEvent.change(form.getByLabelText('Title'), { target: { value: 'Without' } });
    fireEvent.click(form.getByRole('button', { name: 'Add chapter' }));
    await screen.findByText('Added “Without”.');
    expect(writes(calls)[1]?.body).toEqual({ id: 'ch-3', title: 'Without' });
  });

  it('says beside the field when another chapter uses the IRI, and forgets it once the IRI changes', async () => {
    serve([first], (method) => (method === 'POST' ? IRI_TAKEN() : undefined));
    renderPage();
    await screen.findByText('Opening');
    const form = addForm();
    fireEvent.change(form.getByLabelText('ID'), { target: { value: 'ch-2' } });
    fireEvent.change(form.getByLabelText('Title'), { target: { value: 'Close reading' } });
    fireEvent.change(form.getByLabelText(/Activity IRI/), { target: { value: IRI } });
    fireEvent.click(form.getByRole('button', { name: 'Add chapter' }));
    const error = await form.findByText('This IRI is already used by another chapter.');
    const field = form.getByLabelText(/Activity IRI/);
    expect(field.getAttribute('aria-describedby')).toContain(error.id);
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(form.queryByRole('alert')).toBeNull();
    fireEvent.change(field, { target: { value: 'https://books.example/other' } });
    expect(form.queryByText('This IRI is already used by another chapter.')).toBeNull();
  });

  it('drops a stale error when the input changes and after a later success', async () => {
    let answer: () => Response = () => problem(409, 'A chapter with that id exists already.', 'conflict');
    serve([first], (method) => (method === 'POST' ? answer() : undefined));
    renderPage();
    await screen.findByText('Opening');
    const form = addForm();
    fireEvent.change(form.getByLabelText('ID'), { target: { value: 'ch-1' } });
    fireEvent.change(form.getByLabelText('Title'), { target: { value: 'Again' } });
    fireEvent.click(form.getByRole('button', { name: 'Add chapter' }));
    expect((await form.findByRole('alert')).textContent).toBe('Not added. A chapter with that id exists already.');
    fireEvent.change(form.getByLabelText('ID'), { target: { value: 'ch-9' } });
    expect(form.queryByRole('alert')).toBeNull();

    // A field problem goes as soon as that field is edited, and a success leaves nothing behind.
    fireEvent.change(form.getByLabelText('Title'), { target: { value: ' ' } });
    fireEvent.click(form.getByRole('button', { name: 'Add chapter' }));
    expect(form.getByText('Enter a title for the chapter.')).toBeTruthy();
    fireEvent.change(form.getByLabelText('Title'), { target: { value: 'Ninth' } });
    expect(form.queryByText('Enter a title for the chapter.')).toBeNull();
    answer = () => json({ chapter: { id: 'ch-9', title: 'Ninth', position: 2, activityId: null } }, 201);
    fireEvent.click(form.getByRole('button', { name: 'Add chapter' }));
    await screen.findByText('Added “Ninth”.');
    expect(form.queryByRole('alert')).toBeNull();
    expect(form.queryByText(/Enter/)).toBeNull();
  });

  it('sets, changes and takes away a chapter\'s IRI from its row, sending only what changed', async () => {
    let chapters = [first, second];
    const calls = serve(() => chapters, (method, path, body) => {
      if (method !== 'PUT') return undefined;
      const id = decodeURIComponent(path.split('/').pop()!);
      const edited = { ...chapters.find((c) => c.id === id)!, ...body } as ChapterDto;
      chapters = chapters.map((c) => (c.id === id ? edited : c));
      return json({ chapter: edited });
    });
    renderPage();
    await screen.findByText('Close reading');
    fireEvent.click(screen.getByRole('button', { name: 'Edit Close reading' }));
    const edit = within(screen.getByRole('form', { name: 'Edit ch-2' }));
    fireEvent.change(edit.getByLabelText(/Activity IRI/), { target: { value: 'https://books.example/ch-2' } });
    fireEvent.click(edit.getByRole('button', { name: 'Save chapter' }));
    await screen.findByText('Saved “Close reading”.');
    expect(writes(calls)).toEqual([{ method: 'PUT', path: '/api/chapters/ch-2', body: { activityId: 'https://books.example/ch-2' } }]);
    await waitFor(() => expect(screen.getAllByTestId('chapter-iri')[1]?.textContent).toBe('Activity IRI: https://books.example/ch-2'));

    fireEvent.click(screen.getByRole('button', { name: 'Edit Opening' }));
    const editFirst = within(screen.getByRole('form', { name: 'Edit ch-1' }));
    fireEvent.change(editFirst.getByLabelText(/Activity IRI/), { target: { value: '' } });
    fireEvent.change(editFirst.getByLabelText('Title of ch-1'), { target: { value: 'The opening' } });
    fireEvent.click(editFirst.getByRole('button', { name: 'Save chapter' }));
    await screen.findByText('Saved “The opening”.');
    expect(writes(calls)[1]).toEqual({ method: 'PUT', path: '/api/chapters/ch-1', body: { title: 'The opening', activityId: null } });
    await waitFor(() => expect(screen.getAllByTestId('chapter-iri')[0]?.textContent).toBe('Activity IRI: none'));
  });

  it('says beside the row\'s IRI field when another chapter uses it', async () => {
    serve([first, second], (method) => (method === 'PUT' ? IRI_TAKEN() : undefined));
    renderPage();
    await screen.findByText('Close reading');
    fireEvent.click(screen.getByRole('button', { name: 'Edit Close reading' }));
    const edit = within(screen.getByRole('form', { name: 'Edit ch-2' }));
    fireEvent.change(edit.getByLabelText(/Activity IRI/), { target: { value: IRI } });
    fireEvent.click(edit.getByRole('button', { name: 'Save chapter' }));
    await edit.findByText('This IRI is already used by another chapter.');
    expect(edit.queryByRole('alert')).toBeNull();
    expect(edit.getByLabelText(/Activity IRI/).getAttribute('aria-invalid')).toBe('true');
  });
});
