import type { MilestoneStatus } from '../api/types.js';
import { statusLabel } from '../progress/milestone-form.js';

/** A milestone's status as text in a tinted pill; the word carries the meaning, not the colour. */
export function StatusBadge({ status }: { readonly status: MilestoneStatus | null }) {
  return <span className={`badge badge-${status ?? 'none'}`}>{statusLabel(status)}</span>;
}
