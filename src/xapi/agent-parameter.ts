import { validateStatement } from './statement-validation.js';
import { badRequest, XapiError } from './xapi-error.js';
import { isObject, type Json, type XapiVersion } from './xapi-values.js';

/**
 * Checks an `agent` parameter as the statement rules check an actor: an Agent (or an identified
 * Group) with exactly one identifier. Throws 400.
 */
export function validateAgentParameter(agent: Json, version: XapiVersion): void {
  if (!isObject(agent)) throw badRequest('The agent parameter must be a JSON object.');
  const probe = { actor: agent, verb: { id: 'http://adlnet.gov/expapi/verbs/experienced' }, object: { id: 'http://example.com/a' } };
  try {
    validateStatement(probe, version);
  } catch (error) {
    if (error instanceof XapiError) throw badRequest(`The agent parameter is not valid: ${error.message.replace(/^statement\.actor/, 'agent')}`);
    throw error;
  }
}
