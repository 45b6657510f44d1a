import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { addReaderToCohort } from '../api/toolkit-client.js';
import { toolkitQueryKeys } from '../api/toolkit-query-keys.js';
import { ErrorMessage } from '../components/status-messages.js';
import { useCohorts } from './cohort-picker.js';

/** "Add the readers shown to a cohort": one click for the whole list on screen. */
export function AddShownToCohort({ readerIds, selected = false }: { readonly readerIds: readonly number[]; readonly selected?: boolean }) {
  const ids = useId();
  const queryClient = useQueryClient();
  const cohorts = useCohorts();
  const [target, setTarget] = useState('');
  const add = useMutation({
    mutationFn: async () => {
      for (const readerId of readerIds) await addReaderToCohort(Number(target), readerId);
      return readerIds.length;
    },
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: toolkitQueryKeys.cohorts }),
  });
  if (readerIds.length === 0 || (cohorts.data ?? []).length === 0) return null;
  return (
    <div className="add-to-cohort">
      <label htmlFor={`${ids}-cohort`}>
        Add the {readerIds.length} {readerIds.length === 1 ? 'reader' : 'readers'} {selected ? 'selected' : 'shown'} to
      </label>
      <select id={`${ids}-cohort`} value={target} onChange={(e) => setTarget(e.target.value)}>
        <option value="">Choose a cohort</option>
        {cohorts.data!.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
          </option>
        ))}
      </select>
      <button type="button" className="button button-secondary button-small" disabled={target === '' || add.isPending} onClick={() => add.mutate()}>
        {add.isPending ? 'Adding…' : 'Add'}
      </button>
      {add.isSuccess && (
        <span role="status" className="muted">
          Added {add.data} readers.
        </span>
      )}
      {add.isError && <ErrorMessage error={add.error} prefix="Not all were added." />}
    </div>
  );
}
