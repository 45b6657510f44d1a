import type { LanguageMap, XapiObject, XapiResult, XapiScore, XapiStatement } from '../api/xapi-types.js';

/** What the reader's page shows of one statement: every field plain text, ready to render. */
export interface StatementSummary {
  readonly id: string;
  /** The statement's timestamp (ISO), or its stored time when it has none. */
  readonly when: string | null;
  readonly verb: string;
  /** The verb's IRI, for a title. */
  readonly verbId: string;
  readonly object: string;
  /** The object's IRI when it has one, for a title. */
  readonly objectId: string | null;
  /** "Score 85%", "Successful", "Complete", in that order; empty without a result. */
  readonly result: readonly string[];
}

/**
 * The text of a language map in en-US, else in another English, else null. Content from
 * elsewhere is shown by its IRI rather than in a language the page does not speak.
 */
export function englishText(map: LanguageMap | undefined): string | null {
  if (map === undefined || map === null || typeof map !== 'object') return null;
  const usable = (text: unknown): text is string => typeof text === 'string' && text.trim() !== '';
  if (usable(map['en-US'])) return map['en-US'];
  for (const [tag, text] of Object.entries(map)) {
    if (/^en(-|$)/i.test(tag) && usable(text)) return text;
  }
  return null;
}

/**
 * The last segment of an IRI's path (or its fragment, or what follows the last colon of a URN),
 * percent-decoded: `http://adlnet.gov/expapi/verbs/completed` gives `completed`.
 */
export function lastSegment(iri: string): string {
  const trimmed = iri.replace(/[/#?]+$/, '');
  const cut = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('#'), trimmed.lastIndexOf(':'));
  const segment = trimmed.slice(cut + 1);
  if (segment === '') return iri;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function agentText(agent: XapiObject): string {
  if (typeof agent.name === 'string' && agent.name.trim() !== '') return agent.name;
  if (typeof agent.mbox === 'string') return agent.mbox.replace(/^mailto:/i, '');
  if (agent.account?.name !== undefined) return agent.account.name;
  if (typeof agent.openid === 'string') return agent.openid;
  return agent.objectType === 'Group' ? 'a group' : 'someone';
}

/** The object in words: an activity's English name or its IRI, an agent's name, a referenced statement. */
export function objectText(object: XapiObject): string {
  switch (object.objectType) {
    case 'Agent':
    case 'Group':
      return agentText(object);
    case 'StatementRef':
      return `statement ${object.id ?? ''}`.trim();
    case 'SubStatement': {
      const verb = object.verb === undefined ? 'did' : verbText(object.verb);
      return `“${verb} ${object.object === undefined ? 'something' : objectText(object.object)}”`;
    }
    default:
      return englishText(object.definition?.name) ?? object.id ?? 'an activity';
  }
}

export function verbText(verb: { readonly id: string; readonly display?: LanguageMap }): string {
  return englishText(verb.display) ?? lastSegment(verb.id);
}

/**
 * A score as a whole percent: `scaled` × 100, or `raw` placed between `min` and `max` (as the
 * server does when a statement completes a chapter); `raw` alone is shown as it is.
 */
export function scoreText(score: XapiScore | undefined): string | null {
  if (score === undefined) return null;
  if (typeof score.scaled === 'number') return `Score ${Math.round(score.scaled * 100)}%`;
  if (typeof score.raw !== 'number') return null;
  if (typeof score.min === 'number' && typeof score.max === 'number' && score.max > score.min) {
    return `Score ${Math.round((100 * (score.raw - score.min)) / (score.max - score.min))}%`;
  }
  return `Score ${score.raw}`;
}

export function resultParts(result: XapiResult | undefined): string[] {
  if (result === undefined) return [];
  const parts: string[] = [];
  const score = scoreText(result.score);
  if (score !== null) parts.push(score);
  if (typeof result.success === 'boolean') parts.push(result.success ? 'Successful' : 'Not successful');
  if (typeof result.completion === 'boolean') parts.push(result.completion ? 'Complete' : 'Incomplete');
  return parts;
}

export function summarizeStatement(statement: XapiStatement): StatementSummary {
  return {
    id: statement.id,
    when: statement.timestamp ?? statement.stored ?? null,
    verb: verbText(statement.verb),
    verbId: statement.verb.id,
    object: objectText(statement.object),
    objectId: statement.object.objectType === undefined || statement.object.objectType === 'Activity' ? (statement.object.id ?? null) : null,
    result: resultParts(statement.result),
  };
}
