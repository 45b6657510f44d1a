import { describe, expect, it } from 'vitest';
import { validateStatement } from '../../src/xapi/statement-validation.js';
import { XapiError } from '../../src/xapi/xapi-error.js';
import type { Json, XapiVersion } from '../../src/xapi/xapi-values.js';

const ACTOR = { mbox: 'mailto:ada@example.test' };
const VERB = { id: 'http://adlnet.gov/expapi/verbs/answered' };
const ACTIVITY = { id: 'https://books.example.test/quiz' };
const base = (overrides: Record<string, Json | undefined>): Json => {
  const statement: Record<string, Json> = { actor: ACTOR, verb: VERB, object: ACTIVITY };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete statement[key];
    else statement[key] = value;
  }
  return statement;
};
const interaction = (definition: Record<string, Json>) => base({ object: { id: ACTIVITY.id, definition } });
const sub = (overrides: Record<string, Json | undefined>) => base({ object: { objectType: 'SubStatement', actor: ACTOR, verb: VERB, object: ACTIVITY, ...overrides } as Json });

const rejects = (statement: Json, version: XapiVersion = '2.0.0') => {
  try {
    validateStatement(statement, version);
  } catch (error) {
    expect(error).toBeInstanceOf(XapiError);
    expect((error as XapiError).status).toBe(400);
    return (error as XapiError).message;
  }
  throw new Error('the statement was accepted');
};

describe('statement validation', () => {
  it.each<[string, Json]>([
    ['the smallest statement', base({})],
    ['an id, a timestamp with an offset, a version', base({ id: '2F9E1E8A-6F0D-4B86-9A3C-3D1A3C6E2B11', timestamp: '2026-11-24T18:45:10.123+01:00', version: '1.0.3' })],
    ['an agent by account', base({ actor: { objectType: 'Agent', account: { homePage: 'https://lms.example.test', name: 'u-17' } } })],
    ['an agent by mbox_sha1sum', base({ actor: { mbox_sha1sum: 'ebd31e95054c018b10727ccffd2ef2ec3a016ee9' } })],
    ['an agent by openid', base({ actor: { openid: 'https://openid.example.test/ada' } })],
    ['an anonymous group with members', base({ actor: { objectType: 'Group', member: [ACTOR, { openid: 'https://id.example.test/b' }] } })],
    ['an identified group without members', base({ actor: { objectType: 'Group', mbox: 'mailto:club@example.test' } })],
    ['an agent as object', base({ object: { objectType: 'Agent', mbox: 'mailto:ben@example.test' } })],
    ['a StatementRef as object', base({ object: { objectType: 'StatementRef', id: crypto.randomUUID() } })],
    ['a SubStatement as object', sub({})],
    ['a voiding statement', base({ verb: { id: 'http://adlnet.gov/expapi/verbs/voided' }, object: { objectType: 'StatementRef', id: crypto.randomUUID() } })],
    ['a choice interaction', interaction({ interactionType: 'choice', correctResponsesPattern: ['a[,]b'], choices: [{ id: 'a', description: { 'en-US': 'A' } }, { id: 'b' }] })],
    ['a likert interaction', interaction({ interactionType: 'likert', scale: [{ id: 'agree' }] })],
    ['a matching interaction', interaction({ interactionType: 'matching', source: [{ id: 's' }], target: [{ id: 't' }] })],
    ['a performance interaction', interaction({ interactionType: 'performance', steps: [{ id: '1' }] })],
    ['a full result', base({ result: { score: { scaled: 0.5, raw: 5, min: 0, max: 10 }, success: true, completion: true, response: 'b', duration: 'PT1H2M3.45S', extensions: { 'https://x.example.test/e': { n: 1 } } } })],
    ['a week duration', base({ result: { duration: 'P2W' } })],
    ['a full context', base({ context: { registration: crypto.randomUUID(), instructor: ACTOR, team: { objectType: 'Group', member: [ACTOR] }, contextActivities: { parent: ACTIVITY, grouping: [ACTIVITY], category: [ACTIVITY], other: [ACTIVITY] }, revision: '2', platform: 'H5P', language: 'en-GB', statement: { objectType: 'StatementRef', id: crypto.randomUUID() }, extensions: {} } })],
    ['contextAgents (2.0)', base({ context: { contextAgents: [{ objectType: 'contextAgent', agent: ACTOR, relevantTypes: ['https://x.example.test/coach'] }] } })],
    ['an attachment', base({ attachments: [{ usageType: 'https://x.example.test/u', display: { en: 'notes' }, contentType: 'text/plain', length: 3, sha2: 'a'.repeat(64) }] })],
    ['a display in several languages', base({ verb: { id: VERB.id, display: { 'en-US': 'answered', 'zh-Hant-TW': '回答', 'es-419': 'respondió' } } })],
  ])('accepts %s', (_title, statement) => {
    expect(() => validateStatement(statement, '2.0.0')).not.toThrow();
  });

  it.each<[string, Json, RegExp]>([
    ['a statement that is not an object', [], /must be an object/],
    ['no actor', base({ actor: undefined }), /actor is required/],
    ['no verb', base({ verb: undefined }), /verb is required/],
    ['no object', base({ object: undefined }), /object is required/],
    ['an unknown property', base({ reader: 1 }), /not a property/],
    ['a null property', base({ result: null }), /must not be null/],
    ['an id that is not a UUID', base({ id: 'abc' }), /UUID/],
    ['an agent without an identifier', base({ actor: { name: 'Ada' } }), /exactly one/],
    ['an agent with two identifiers', base({ actor: { mbox: 'mailto:a@b.test', openid: 'https://a.test' } }), /exactly one/],
    ['an mbox without mailto:', base({ actor: { mbox: 'ada@example.test' } }), /mailto/],
    ['an mbox_sha1sum that is not hex', base({ actor: { mbox_sha1sum: 'xyz' } }), /SHA-1/],
    ['an account without a homePage', base({ actor: { account: { name: 'u' } } }), /homePage is required/],
    ['an account whose homePage is not an IRI', base({ actor: { account: { homePage: 'lms', name: 'u' } } }), /IRI/],
    ['an anonymous group without members', base({ actor: { objectType: 'Group' } }), /anonymous Group/],
    ['a group member that is a group', base({ actor: { objectType: 'Group', member: [{ objectType: 'Group', mbox: 'mailto:g@x.test' }] } }), /Agent/],
    ['a verb id that is not an IRI', base({ verb: { id: 'answered' } }), /IRI/],
    ['a display that is not a language map', base({ verb: { id: VERB.id, display: 'answered' } }), /language map/],
    ['a display with a bad language tag', base({ verb: { id: VERB.id, display: { 'english!': 'answered' } } }), /language tag/],
    ['an activity without an id', base({ object: { objectType: 'Activity' } }), /id is required/],
    ['an unknown objectType', base({ object: { objectType: 'Chapter', id: 'x:y' } }), /objectType/],
    ['a StatementRef without a UUID', base({ object: { objectType: 'StatementRef', id: '1' } }), /UUID/],
    ['a SubStatement holding a SubStatement', sub({ object: { objectType: 'SubStatement', actor: ACTOR, verb: VERB, object: ACTIVITY } }), /SubStatement/],
    ['a SubStatement with an id', sub({ id: crypto.randomUUID() }), /not a property/],
    ['a voiding statement about an activity', base({ verb: { id: 'http://adlnet.gov/expapi/verbs/voided' } }), /StatementRef/],
    ['an unknown interactionType', interaction({ interactionType: 'essay' }), /interactionType/],
    ['choices on a likert interaction', interaction({ interactionType: 'likert', choices: [{ id: 'a' }] }), /component/],
    ['components without an interactionType', interaction({ choices: [{ id: 'a' }] }), /component/],
    ['two components with one id', interaction({ interactionType: 'choice', choices: [{ id: 'a' }, { id: 'a' }] }), /repeats/],
    ['a correctResponsesPattern that is not strings', interaction({ interactionType: 'choice', correctResponsesPattern: [1] }), /array of strings/],
    ['a scaled score above 1', base({ result: { score: { scaled: 1.5 } } }), /-1 to 1/],
    ['a raw score below min', base({ result: { score: { raw: -1, min: 0 } } }), /less than min/],
    ['a raw score above max', base({ result: { score: { raw: 11, max: 10 } } }), /more than max/],
    ['min not below max', base({ result: { score: { min: 5, max: 5 } } }), /less than max/],
    ['a success that is not a boolean', base({ result: { success: 'yes' } }), /true or false/],
    ['a duration that is not ISO 8601', base({ result: { duration: '1 hour' } }), /duration/],
    ['a duration with T and nothing after', base({ result: { duration: 'PT' } }), /duration/],
    ['an extension key that is not an IRI', base({ result: { extensions: { score: 1 } } }), /IRI/],
    ['a registration that is not a UUID', base({ context: { registration: 'r' } }), /UUID/],
    ['a team that is an agent', base({ context: { team: ACTOR } }), /Group/],
    ['revision on a statement about an agent', base({ object: { objectType: 'Agent', mbox: 'mailto:b@x.test' }, context: { revision: '1' } }), /only for statements about an Activity/],
    ['platform on a statement about a StatementRef', base({ object: { objectType: 'StatementRef', id: crypto.randomUUID() }, context: { platform: 'x' } }), /only for statements/],
    ['a context language that is not a tag', base({ context: { language: 'english!' } }), /language tag/],
    ['an unknown contextActivities key', base({ context: { contextActivities: { sibling: [ACTIVITY] } } }), /not a property/],
    ['a timestamp without a zone (2.0)', base({ timestamp: '2026-11-24T18:45:10' }), /time zone/],
    ['a timestamp with -00:00', base({ timestamp: '2026-11-24T18:45:10-00:00' }), /time zone/],
    ['a timestamp that is not a date', base({ timestamp: '2026-13-45T18:45:10Z' }), /timestamp/],
    ['a version this LRS does not speak', base({ version: '0.95' }), /version/],
    ['an authority group with an identifier', base({ authority: { objectType: 'Group', mbox: 'mailto:g@x.test', member: [ACTOR, ACTOR] } }), /anonymous/],
    ['an authority group of three', base({ authority: { objectType: 'Group', member: [ACTOR, ACTOR, ACTOR] } }), /two members/],
    ['an attachment without a sha2', base({ attachments: [{ usageType: 'https://x.test/u', display: { en: 'a' }, contentType: 'text/plain', length: 1 }] }), /sha2 is required/],
    ['an attachment with a fractional length', base({ attachments: [{ usageType: 'https://x.test/u', display: { en: 'a' }, contentType: 'text/plain', length: 1.5, sha2: 'a'.repeat(64) }] }), /whole number/],
    ['contextAgents without its objectType', base({ context: { contextAgents: [{ agent: ACTOR }] } }), /contextAgent/],
  ])('rejects %s', (_title, statement, message) => {
    expect(rejects(statement)).toMatch(message);
  });

  it('1.0.3 accepts a timestamp without a zone, has no contextAgents and accepts only 1.0 versions', () => {
    expect(() => validateStatement(base({ timestamp: '2026-11-24T18:45:10' }), '1.0.3')).not.toThrow();
    expect(rejects(base({ context: { contextAgents: [] } }), '1.0.3')).toMatch(/not a property/);
    expect(rejects(base({ version: '2.0.0' }), '1.0.3')).toMatch(/version/);
  });
});
