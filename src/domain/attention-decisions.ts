import { chapterRulesApply } from './attention.js';
import { AppError } from './app-error.js';
import type { AttentionItem, AttentionRules } from './attention.js';

/*
 * The attention queue's decisions, made once for both engines. Each change of an item is one
 * conditional update that moves it only from the state it expects, so of two racing consultants
 * exactly one matches; when none matched, the item as it now stands decides the answer here.
 */

/** A claim that changed nothing: the item itself when the consultant holds it already, else `conflict`. */
export function claimRefused(item: AttentionItem, consultantId: number): AttentionItem {
  if (item.state === 'claimed' && item.claimedBy?.id === consultantId) return item;
  if (item.state === 'claimed') throw new AppError('conflict', `${item.claimedBy?.name || 'Another consultant'} holds this item.`);
  throw new AppError('conflict', 'This item is resolved.');
}

/** A release that changed nothing (of an item that exists): only its holder may release it. */
export function releaseRefused(): never {
  throw new AppError('forbidden', 'Only the consultant who holds an item can release it.');
}

/** A resolve that changed nothing: resolved already, or another consultant holds it. */
export function resolveRefused(item: AttentionItem): never {
  if (item.state === 'resolved') throw new AppError('conflict', 'This item is resolved already.');
  throw new AppError('conflict', `${item.claimedBy?.name || 'Another consultant'} holds this item.`);
}

/** What a reader's milestone on one chapter now is, as the review reads it (none: no milestone). */
export interface ReviewedMilestone {
  readonly status: string | null;
  readonly score: number | null;
}

/**
 * What a change of one reader's milestone does to their attention items: the chapter's `stuck`
 * item resolves unless it is stuck still, a completion scored below the rule's line opens a
 * `low_score` item (else that item resolves), and the reader is active, so `inactive` resolves.
 * Only a chapter of the program opens an item (`inProgram`; see chapterRulesApply).
 * Items are reported in this order: stuck, low score, inactive.
 */
export function milestoneReviewPlan(
  milestone: ReviewedMilestone | undefined,
  rules: Pick<AttentionRules, 'lowScore'>,
  inProgram: boolean,
): { readonly resolveStuck: boolean; readonly openLowScore: boolean } {
  const openLowScore =
    chapterRulesApply({ role: 'reader', inProgram }) && milestone?.status === 'completed' && milestone.score !== null && milestone.score < rules.lowScore;
  return { resolveStuck: milestone?.status !== 'stuck', openLowScore };
}

/** The order a milestone review reports the items it changed in. */
export const REVIEW_ORDER: readonly string[] = ['stuck', 'low_score', 'inactive'];

/** The most rows one sweep run reads per rule. */
export const MAX_ATTENTION_SWEEP_LIMIT = 10_000;

/** Throws `invalid_request` unless `limit` is a whole number from 1 to MAX_ATTENTION_SWEEP_LIMIT. */
export function checkSweepLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_ATTENTION_SWEEP_LIMIT) {
    throw new AppError('invalid_request', `limit must be a whole number from 1 to ${MAX_ATTENTION_SWEEP_LIMIT}.`);
  }
}
