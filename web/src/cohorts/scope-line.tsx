import { Link } from '../router/link.js';
import { chooseCohort, useCohortChoice } from './cohort-choice.js';
import { useCohorts } from './cohort-picker.js';

/** Says which readers a consultant page covers: "Cohort: Alpha, 24 readers", or all readers. */
export function ScopeLine() {
  const cohortId = useCohortChoice();
  const cohorts = useCohorts();
  const cohort = cohortId === null ? undefined : cohorts.data?.find((c) => c.id === cohortId);
  if (cohortId === null) {
    return (
      <p className="scope-line" data-testid="scope">
        Showing <strong>all readers</strong> (choose a cohort in the header to narrow every page and export).
      </p>
    );
  }
  return (
    <p className="scope-line scope-line-cohort" data-testid="scope">
      <span>
        Cohort:{' '}
        {cohort === undefined ? (
          <strong>#{cohortId}</strong>
        ) : (
          <>
            <strong className="scope-name">{cohort.name}</strong>, <span data-testid="scope-count">{cohort.readerCount}</span>{' '}
            {cohort.readerCount === 1 ? 'reader' : 'readers'}
          </>
        )}
      </span>{' '}
      <button type="button" className="link-button" onClick={() => chooseCohort(null)}>
        Show all readers
      </button>{' '}
      <Link to="/cohorts" className="scope-manage">
        Cohorts
      </Link>
    </p>
  );
}
