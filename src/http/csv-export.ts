import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';

/** RFC 4180 (CRLF line ends, quotes doubled) and formula-looking cells neutralized with a leading '. */
const CSV_OPTIONS = { record_delimiter: 'windows', escape_formulas: true, quote_record_delimiter: true } as const;

/**
 * A CSV download built batch by batch from `batches`: the header first, then each batch as it is
 * read. The stream pulls the next batch only when the socket has taken the previous one
 * (highWaterMark 1), so a slow client slows the database reads down instead of filling memory.
 * `onBatch` sees every batch of rows before it is written (for the access log).
 */
export function csvStream<T>(
  header: readonly string[],
  batches: AsyncIterable<readonly T[]>,
  toRecord: (row: T) => readonly (string | number | null)[],
  onBatch?: (rows: readonly T[]) => void,
): Readable {
  async function* lines(): AsyncGenerator<string> {
    yield stringify([header as string[]], CSV_OPTIONS);
    for await (const batch of batches) {
      onBatch?.(batch);
      if (batch.length > 0) yield stringify(batch.map((row) => toRecord(row) as unknown[]), CSV_OPTIONS);
    }
  }
  return Readable.from(lines(), { objectMode: false, highWaterMark: 1 });
}
