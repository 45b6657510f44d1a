import { AppError } from './app-error.js';

/**
 * The most rows one retention call may delete (Store.deleteActivityBefore, deleteAccessLogBefore):
 * bigger deletes hold the write lock too long.
 */
export const MAX_RETENTION_BATCH = 100_000;

/** The most rows one batch of a streamed export may hold. */
export const MAX_EXPORT_BATCH_ROWS = 10_000;

/** Checks a retention batch size. Throws `invalid_request` unless it is a whole number from 1 to MAX_RETENTION_BATCH. */
export function checkRetentionLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_RETENTION_BATCH) {
    throw new AppError('invalid_request', `limit must be a whole number from 1 to ${MAX_RETENTION_BATCH}.`);
  }
}

/** Checks an export batch size and returns it. Throws `invalid_request` unless it is a whole number from 1 to MAX_EXPORT_BATCH_ROWS. */
export function checkExportBatch(batchRows: number): number {
  if (!Number.isSafeInteger(batchRows) || batchRows < 1 || batchRows > MAX_EXPORT_BATCH_ROWS) {
    throw new AppError('invalid_request', `batchRows must be a whole number from 1 to ${MAX_EXPORT_BATCH_ROWS}.`);
  }
  return batchRows;
}

/** The error every Store method throws for an unknown user id. */
export function userNotFound(): AppError {
  return new AppError('not_found', 'No user has that id.');
}

/** The error every Store method throws for an unknown cohort id. */
export function cohortNotFound(): AppError {
  return new AppError('not_found', 'No cohort has that id.');
}

/** The error every Store method throws for an unknown attention item id. */
export function attentionItemNotFound(): AppError {
  return new AppError('not_found', 'No attention item has that id.');
}

export function readerNotFound(): AppError {
  return new AppError('not_found', 'No reader has that id.');
}
