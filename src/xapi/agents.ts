import { mboxAgentKey } from '../domain/index.js';
import { badRequest } from './xapi-error.js';
import { isObject, parseJsonParameter, type Json, type JsonObject, type XapiVersion } from './xapi-values.js';
import { validateAgentParameter } from './agent-parameter.js';

/**
 * The key an agent or identified group is stored and found by: its one inverse functional
 * identifier (mbox, mbox_sha1sum, openid or account), or null for an anonymous group.
 */
export function agentKeyOf(agent: Json | undefined): string | null {
  if (!isObject(agent)) return null;
  if (typeof agent.mbox === 'string') return mboxAgentKey(agent.mbox);
  if (typeof agent.mbox_sha1sum === 'string') return `mbox_sha1sum:${agent.mbox_sha1sum.toLowerCase()}`;
  if (typeof agent.openid === 'string') return `openid:${agent.openid}`;
  if (isObject(agent.account)) return `account:${String(agent.account.homePage)} ${String(agent.account.name)}`;
  return null;
}

/** The agent named by an `agent` request parameter (JSON, exactly one identifier), and its key. Throws 400. */
export function parseAgentParameter(text: string, version: XapiVersion): { agent: JsonObject; key: string } {
  const agent = parseJsonParameter('agent', text);
  validateAgentParameter(agent, version);
  const key = agentKeyOf(agent);
  if (key === null || !isObject(agent)) throw badRequest('The agent parameter must name an Agent by exactly one identifier.');
  return { agent, key };
}

/** The Person object of the Agents resource: every name and identifier known for the agent. */
export function personOf(agent: JsonObject): JsonObject {
  const person: JsonObject = { objectType: 'Person' };
  if (typeof agent.name === 'string') person.name = [agent.name];
  for (const ifi of ['mbox', 'mbox_sha1sum', 'openid', 'account']) {
    if (agent[ifi] !== undefined) person[ifi] = [agent[ifi]!];
  }
  return person;
}
