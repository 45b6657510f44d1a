/** What a consultant looked at. */
export const ACCESS_KINDS = ['progress', 'activity', 'export'] as const;
export type AccessKind = (typeof ACCESS_KINDS)[number];

/** The access log keeps one entry per consultant, reader and kind per this window. */
export const ACCESS_COALESCE_MS = 3_600_000;

/** One view to record: `consultantId` read `readerId`'s data of `kind` at `at` (epoch ms). */
export interface AccessRecord {
  readonly consultantId: number;
  readonly readerId: number;
  readonly kind: AccessKind;
  readonly at: number;
}

/** One entry of a reader's access log: the latest view of that kind within its hour. */
export interface AccessLogEntry {
  readonly consultant: { readonly id: number; readonly name: string };
  readonly what: AccessKind;
  /** Epoch ms of the latest view the entry stands for. */
  readonly at: number;
}
