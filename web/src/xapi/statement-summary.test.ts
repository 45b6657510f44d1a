import { describe, expect, it } from 'vitest';
import type { XapiStatement } from '../api/xapi-types.js';
import { englishText, lastSegment, objectText, resultParts, scoreText, summarizeStatement, verbText } from './statement-summary.js';

const ADL = 'http://adlnet.gov/expapi/verbs/';

describe('a statement in words', () => {
  it('takes the verb\'s en-US display, another English, or the last segment of its IRI', () => {
    expect(verbText({ id: `${ADL}completed`, display: { 'en-US': 'finished', 'fr-FR': 'terminé' } })).toBe('finished');
    expect(verbText({ id: `${ADL}completed`, display: { 'fr-FR': 'terminé', 'en-GB': 'completed (GB)' } })).toBe('completed (GB)');
    expect(verbText({ id: `${ADL}completed`, display: { 'fr-FR': 'terminé' } })).toBe('completed');
    expect(verbText({ id: `${ADL}completed` })).toBe('completed');
    expect(verbText({ id: 'https://w3id.org/xapi/video/verbs/paused/' })).toBe('paused');
    expect(verbText({ id: 'http://example.com/verbs#read%20aloud' })).toBe('read aloud');
    expect(verbText({ id: 'urn:example:verb:skimmed' })).toBe('skimmed');
    expect(verbText({ id: `${ADL}answered`, display: { 'en-US': '  ' } })).toBe('answered');
  });

  it('reads language maps by English tag only', () => {
    expect(englishText(undefined)).toBeNull();
    expect(englishText({})).toBeNull();
    expect(englishText({ en: 'plain' })).toBe('plain');
    expect(englishText({ 'de-DE': 'Kapitel', 'EN-us': 'chapter' })).toBe('chapter');
    expect(englishText({ english: 'not a tag' })).toBeNull();
    expect(lastSegment('http://example.com/')).toBe('example.com');
    expect(lastSegment('http://example.com/%E0%A4%A')).toBe('%E0%A4%A');
  });

  it('names the object by its English definition name, else its id; agents and references too', () => {
    expect(objectText({ id: 'https://books.example/ch-3', definition: { name: { 'en-US': 'Close reading' } } })).toBe('Close reading');
    expect(objectText({ objectType: 'Activity', id: 'https://books.example/ch-3', definition: { name: { 'nl-NL': 'Lezen' } } })).toBe(
      'https://books.example/ch-3',
    );
    expect(objectText({ objectType: 'Agent', name: 'Ann', mbox: 'mailto:ann@example.com' })).toBe('Ann');
    expect(objectText({ objectType: 'Agent', mbox: 'mailto:ann@example.com' })).toBe('ann@example.com');
    expect(objectText({ objectType: 'StatementRef', id: '6690e6c9-3ef0-4ed3-8b37-7f3964730bee' })).toBe('statement 6690e6c9-3ef0-4ed3-8b37-7f3964730bee');
    expect(
      objectText({ objectType: 'SubStatement', verb: { id: `${ADL}attempted` }, object: { id: 'https://books.example/quiz' } }),
    ).toBe('“attempted https://books.example/quiz”');
  });

  it('gives the score as a whole percent, from scaled or from raw between min and max', () => {
    expect(scoreText({ scaled: 0.855 })).toBe('Score 86%');
    expect(scoreText({ scaled: 0, raw: 3 })).toBe('Score 0%');
    expect(scoreText({ raw: 7, min: 0, max: 10 })).toBe('Score 70%');
    expect(scoreText({ raw: 15, min: 10, max: 20 })).toBe('Score 50%');
    expect(scoreText({ raw: 7 })).toBe('Score 7');
    expect(scoreText({ raw: 7, min: 10, max: 10 })).toBe('Score 7');
    expect(scoreText({})).toBeNull();
    expect(scoreText(undefined)).toBeNull();
  });

  it('lists score, success and completion in that order, and only what the result has', () => {
    expect(resultParts({ score: { scaled: 1 }, success: true, completion: true })).toEqual(['Score 100%', 'Successful', 'Complete']);
    expect(resultParts({ success: false, completion: false })).toEqual(['Not successful', 'Incomplete']);
    expect(resultParts({ response: 'b', duration: 'PT3S' })).toEqual([]);
    expect(resultParts(undefined)).toEqual([]);
  });

  it('summarizes a whole statement, falling back to the stored time', () => {
    const statement: XapiStatement = {
      id: 'f3d6c1a0-0000-4000-8000-000000000001',
      actor: { mbox: 'mailto:ann@example.com' },
      verb: { id: `${ADL}passed`, display: { 'en-US': 'passed' } },
      object: { objectType: 'Activity', id: 'https://books.example/ch-3', definition: { name: { 'en-US': 'Close reading' } } },
      result: { score: { scaled: 0.9 }, success: true },
      stored: '2026-11-24T18:45:10.123Z',
    };
    expect(summarizeStatement(statement)).toEqual({
      id: statement.id,
      when: '2026-11-24T18:45:10.123Z',
      verb: 'passed',
      verbId: `${ADL}passed`,
      object: 'Close reading',
      objectId: 'https://books.example/ch-3',
      result: ['Score 90%', 'Successful'],
    });
    expect(summarizeStatement({ ...statement, timestamp: '2026-11-20T08:00:00Z' }).when).toBe('2026-11-20T08:00:00Z');
    expect(summarizeStatement({ ...statement, object: { objectType: 'Agent', name: 'Bo' } }).objectId).toBeNull();
  });
});
