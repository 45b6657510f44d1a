import { checkExportBatch } from '../store-limits.js';

/**
 * The keyset walk behind every export, for both engines: reads batches of at most `batchRows`
 * rows, each after the last row of the batch before (null for the first), until a short or
 * empty batch. Each batch is read only when the consumer asks for it, so memory stays constant.
 * Throws `invalid_request` for a batch size out of range.
 */
export async function* keysetBatches<R>(
  batchRows: number,
  readBatch: (after: R | null, limit: number) => readonly R[] | Promise<readonly R[]>,
): AsyncGenerator<readonly R[]> {
  const limit = checkExportBatch(batchRows);
  let after: R | null = null;
  for (;;) {
    const rows = await readBatch(after, limit);
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < limit) return;
    after = rows[rows.length - 1]!;
  }
}
