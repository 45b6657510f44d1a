import type { AttentionItem, AttentionPort } from '../domain/index.js';
import type { LiveEventSink } from '../live/live-event.js';

export interface AttentionHandlingDeps {
  readonly attention: Pick<AttentionPort, 'claimAttention' | 'releaseAttention' | 'resolveAttention' | 'reviewReturnAttention'>;
  /** Where every changed item is announced, so each consultant's queue follows. */
  readonly events: LiveEventSink;
}

/**
 * The shared attention queue's changes: a consultant claims, releases or resolves an item, or a
 * reader's return resolves their inactivity. Each stored change is published once.
 */
export class AttentionHandling {
  constructor(private readonly deps: AttentionHandlingDeps) {}

  /** Claims an item for `consultantId`. Throws `not_found`, and `conflict` when another holds it or it is resolved. */
  async claim(itemId: number, consultantId: number): Promise<AttentionItem> {
    return this.published(await this.deps.attention.claimAttention(itemId, consultantId));
  }

  /** Makes a claimed item open again. Throws `not_found`, and `forbidden` unless `consultantId` holds it. */
  async release(itemId: number, consultantId: number): Promise<AttentionItem> {
    return this.published(await this.deps.attention.releaseAttention(itemId, consultantId));
  }

  /**
   * Resolves an item with an optional note (blank notes are none). Throws `not_found`, and
   * `conflict` when it is resolved already or another consultant holds it.
   */
  async resolve(itemId: number, consultantId: number, note: string | null): Promise<AttentionItem> {
    return this.published(await this.deps.attention.resolveAttention(itemId, consultantId, note?.trim() || null));
  }

  /** A reader is active again: their open inactivity item resolves now, not at the next sweep. */
  async reviewReturn(readerId: number): Promise<AttentionItem[]> {
    const items = await this.deps.attention.reviewReturnAttention(readerId);
    for (const item of items) this.published(item);
    return items;
  }

  /** Announces an item a rule changed (the periodic sweep's changes). */
  published(item: AttentionItem): AttentionItem {
    this.deps.events.publish({ type: 'attention', readerId: item.reader.id, item });
    return item;
  }
}
