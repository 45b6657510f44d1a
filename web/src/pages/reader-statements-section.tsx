import { useInfiniteQuery } from '@tanstack/react-query';
import { fetchReaderStatements, xapiQueryKeys } from '../api/xapi-client.js';
import { LoadMoreButton, useFocusFirstNewItem } from '../components/load-more.js';
import { ErrorMessage, LoadingMessage } from '../components/status-messages.js';
import { mergePages, nextCursorOf } from '../pagination/merge-pages.js';
import { Link } from '../router/link.js';
import { formatDateTime } from '../time/relative-time.js';
import { summarizeStatement } from '../xapi/statement-summary.js';

const STATEMENTS_PAGE_SIZE = 20;
/** Statements arrive from content, not from this app: a slow refresh picks up new ones. */
const STATEMENTS_POLL_MS = 30_000;

/**
 * A reader's learning records: the xAPI statements content sent about them (the latest received first), with
 * when, verb, object and result, and "Load more".
 */
export function ReaderStatementsSection({ readerId, email }: { readonly readerId: number; readonly email: string }) {
  const query = useInfiniteQuery({
    queryKey: xapiQueryKeys.readerStatements(readerId),
    queryFn: ({ pageParam }) => fetchReaderStatements(readerId, { limit: STATEMENTS_PAGE_SIZE, cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: nextCursorOf,
    refetchInterval: STATEMENTS_POLL_MS,
  });
  const statements = mergePages(query.data?.pages, (page) => page.statements, (statement) => statement.id).map(summarizeStatement);
  const { listRef, rememberCount } = useFocusFirstNewItem<HTMLOListElement>(statements.length);
  return (
    <section className="card panel" aria-labelledby="statements-heading" data-testid="learning-records">
      <div className="panel-header">
        <h2 id="statements-heading">Learning records</h2>
      </div>
      {query.isPending ? (
        <LoadingMessage>Loading learning records…</LoadingMessage>
      ) : query.data === undefined ? (
        <ErrorMessage error={query.error} prefix="Could not load the learning records." onRetry={() => void query.refetch()} />
      ) : statements.length === 0 ? (
        <p className="empty" data-testid="statements-empty">
          No learning records yet. Content (H5P, Articulate, a cmi5 player) reports here when it sends xAPI statements with an{' '}
          <Link to="/lrs-credentials">LRS credential</Link> and this reader as the actor (<code>mailto:{email}</code>).
        </p>
      ) : (
        <>
          <p className="panel-note">xAPI statements from content, the latest received first.</p>
          <ol className="statement-list" ref={listRef}>
            {statements.map((statement) => (
              <li key={statement.id} className="statement-row" tabIndex={-1} data-statement-id={statement.id}>
                <span>
                  <span className="statement-verb" data-field="verb" title={statement.verbId}>
                    {statement.verb}
                  </span>{' '}
                  <span className="statement-object" data-field="object" title={statement.objectId ?? undefined}>
                    {statement.object}
                  </span>
                </span>
                <span className="statement-meta">
                  {statement.when !== null && (
                    <time dateTime={statement.when} data-field="when">
                      {formatDateTime(statement.when)}
                    </time>
                  )}
                  {statement.result.length > 0 && <span data-field="result">{statement.result.join(' · ')}</span>}
                </span>
              </li>
            ))}
          </ol>
          <LoadMoreButton
            label="Load more records"
            hasMore={query.hasNextPage}
            isLoading={query.isFetchingNextPage}
            onLoadMore={() => {
              rememberCount();
              void query.fetchNextPage();
            }}
          />
          {query.isFetchNextPageError && <ErrorMessage error={query.error} prefix="Could not load more records." />}
        </>
      )}
    </section>
  );
}
