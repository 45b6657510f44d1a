/** PostgreSQL's EXPLAIN (FORMAT JSON) output, for the plan suites under test/postgres/. */

/** One node of a plan: what the suites look at. */
export interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly 'Index Name'?: string;
  readonly 'Index Cond'?: string;
  readonly Plans?: readonly PlanNode[];
}

/** A statement as sent to the driver: its text and its values. */
export interface SentStatement {
  readonly text: string;
  readonly values: readonly unknown[];
}

/** The plan in the rows of an EXPLAIN (FORMAT JSON); a pool may leave the json column as text. */
export function planOfExplain(rows: readonly Record<string, unknown>[]): PlanNode {
  const raw = rows[0]!['QUERY PLAN'];
  return ((typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[])[0]!.Plan;
}

/** The plan's nodes, the root first, depth first. */
export function planNodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap((child) => planNodes(child))];
}
