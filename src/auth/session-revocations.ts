/** Defined in the domain, where each engine's runtime can offer it. */
export type { SessionRevocations } from '../domain/index.js';
