import { describe, expect, it } from 'vitest';
import type { ActivityEventDto } from '../api/types.js';
import { humanizeActionType, summarizeMetadata } from './activity-label.js';

const event = (actionType: string, metadata: ActivityEventDto['metadata']): ActivityEventDto => ({
  id: 1,
  actionType,
  metadata,
  createdAt: '2026-11-24T18:45:10.123Z',
});

describe('humanizeActionType', () => {
  it('names known actions and turns others into words', () => {
    expect(humanizeActionType('PAGE_VIEW')).toBe('Viewed a page');
    expect(humanizeActionType('LOGIN')).toBe('Signed in');
    expect(humanizeActionType('CHAPTER_OPENED')).toBe('Chapter opened');
    expect(humanizeActionType('QUIZ2_DONE')).toBe('Quiz2 done');
  });

  it('names the chapter milestones a reader records', () => {
    expect(humanizeActionType('CHAPTER_STARTED')).toBe('Started a chapter');
    expect(humanizeActionType('CHAPTER_COMPLETED')).toBe('Completed a chapter');
    expect(humanizeActionType('CHAPTER_STUCK')).toBe('Stuck on a chapter');
  });

  it('names a statement that content sent about the reader', () => {
    expect(humanizeActionType('XAPI')).toBe('Learning record (xAPI)');
  });
});

describe('summarizeMetadata', () => {
  it('sums up a statement event by its verb, object and result', () => {
    const metadata = {
      statementId: '00000000-0000-4000-8000-000000000001',
      verb: 'http://adlnet.gov/expapi/verbs/completed',
      object: { objectType: 'Activity', id: 'https://books.example/ch-3' },
      result: { score: { raw: 17, min: 0, max: 20 }, success: true, completion: true, duration: 'PT4M' },
    };
    expect(summarizeMetadata(event('XAPI', metadata))).toBe('completed · https://books.example/ch-3 · Score 85% · Successful · Complete');
    expect(summarizeMetadata(event('XAPI', { ...metadata, result: undefined, object: { objectType: 'Agent', id: null } }))).toBe('completed');
    expect(summarizeMetadata(event('XAPI', { statementId: 'x', truncated: true }))).toBe('');
  });

  it('shows the path of a page view', () => {
    expect(summarizeMetadata(event('PAGE_VIEW', { path: '/reading' }))).toBe('/reading');
  });

  it('lists up to three simple fields and skips nested values', () => {
    const summary = summarizeMetadata(event('SUBMIT', { nested: { a: 1 }, score: 90, done: true, page: 3, extra: 'x' }));
    expect(summary).toBe('score: 90 · done: true · page: 3');
  });

  it('names the chapter by its title when it is known, by its id otherwise', () => {
    const titles = new Map([['ch-1', 'Getting started']]);
    const titleOf = (id: string) => titles.get(id);
    expect(summarizeMetadata(event('PAGE_VIEW', { chapterId: 'ch-1', page: 25 }), titleOf)).toBe('Getting started · page: 25');
    expect(summarizeMetadata(event('SUBMIT', { chapterId: 'ch-9', score: 70 }), titleOf)).toBe('Chapter ch-9 · score: 70');
  });

  it('shows a chapter milestone as the chapter’s title, with the score of a completed one', () => {
    const titleOf = (id: string) => (id === 'ch-2' ? 'Tides and Currents' : undefined);
    expect(summarizeMetadata(event('CHAPTER_STARTED', { chapterId: 'ch-2' }), titleOf)).toBe('Tides and Currents');
    expect(summarizeMetadata(event('CHAPTER_COMPLETED', { chapterId: 'ch-2', score: 85 }), titleOf)).toBe('Tides and Currents · score: 85');
    expect(summarizeMetadata(event('CHAPTER_STUCK', { chapterId: 'ch-7' }), titleOf)).toBe('Chapter ch-7');
  });

  it('shortens long values and is empty without metadata', () => {
    expect(summarizeMetadata(event('SUBMIT', { note: 'n'.repeat(100) }))).toHaveLength('note: '.length + 60);
    expect(summarizeMetadata(event('LOGIN', null))).toBe('');
  });
});
