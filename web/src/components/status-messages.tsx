import { describeError } from '../api/api-error.js';

/** A failure, said in plain words, with a way to try again when there is one. */
export function ErrorMessage({ error, onRetry, prefix }: { readonly error: unknown; readonly onRetry?: () => void; readonly prefix?: string }) {
  return (
    <div className="notice notice-error" role="alert">
      <p>
        {prefix !== undefined && <strong>{prefix} </strong>}
        {describeError(error)}
      </p>
      {onRetry !== undefined && (
        <button type="button" className="button button-small" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** A quiet "Loading …" line that screen readers announce politely. */
export function LoadingMessage({ children = 'Loading…' }: { readonly children?: string }) {
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {children}
    </p>
  );
}

/** What an empty list says instead of nothing. */
export function EmptyMessage({ children }: { readonly children: string }) {
  return <p className="empty">{children}</p>;
}
