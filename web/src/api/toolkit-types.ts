/** Wire types of cohorts, invites and the attention queue, from the server's schemas (type-only). */
export type { CohortDto, InviteDto } from '../../../src/http/cohort-schemas.js';
export type { AttentionItemDto, AttentionRulesDto } from '../../../src/http/attention-schemas.js';

export type AttentionState = 'open' | 'claimed' | 'resolved';
export type AttentionReason = 'stuck' | 'inactive' | 'low_score';
