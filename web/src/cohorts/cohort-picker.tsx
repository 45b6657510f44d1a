import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef } from 'react';
import { queryKeys } from '../api/query-keys.js';
import { fetchCohorts } from '../api/toolkit-client.js';
import { toolkitQueryKeys } from '../api/toolkit-query-keys.js';
import { chooseCohort, useCohortChoice } from './cohort-choice.js';

/** The cohorts, for every page that names them. */
export function useCohorts() {
  return useQuery({ queryKey: toolkitQueryKeys.cohorts, queryFn: fetchCohorts, staleTime: 30_000 });
}

/** Chooses the cohort the consultant's views narrow to; the choice is kept in the address (`?cohort=`). */
export function CohortPicker() {
  const id = useId();
  const chosen = useCohortChoice();
  const cohorts = useCohorts();
  const queryClient = useQueryClient();
  const previous = useRef(chosen);
  // The live view and the stuck list are keyed without the cohort (the live stream updates them): refetch them.
  useEffect(() => {
    if (previous.current === chosen) return;
    previous.current = chosen;
    void queryClient.invalidateQueries({ queryKey: queryKeys.liveDashboard });
    void queryClient.invalidateQueries({ queryKey: queryKeys.stuckReaders });
  }, [chosen, queryClient]);
  // A cohort deleted meanwhile (here or elsewhere) falls back to all readers.
  useEffect(() => {
    if (chosen !== null && cohorts.data !== undefined && !cohorts.data.some((c) => c.id === chosen)) chooseCohort(null, { replace: true });
  }, [chosen, cohorts.data]);
  return (
    <div className="cohort-picker">
      <label htmlFor={id}>Cohort</label>
      <select id={id} value={chosen ?? ''} onChange={(e) => chooseCohort(e.target.value === '' ? null : Number(e.target.value))}>
        <option value="">All readers</option>
        {(cohorts.data ?? []).map((cohort) => (
          <option key={cohort.id} value={cohort.id}>
            {cohort.name} ({cohort.readerCount})
          </option>
        ))}
      </select>
    </div>
  );
}
