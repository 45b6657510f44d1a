import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { fetchAttentionRules, saveAttentionRules } from '../api/toolkit-client.js';
import { toolkitQueryKeys } from '../api/toolkit-query-keys.js';
import type { AttentionRulesDto } from '../api/toolkit-types.js';
import { ErrorMessage, LoadingMessage } from '../components/status-messages.js';

const FIELDS: readonly { key: keyof AttentionRulesDto; label: string; min: number; max: number; unit: string }[] = [
  { key: 'stuckMinutes', label: 'Stuck for at least', min: 1, max: 525_600, unit: 'minutes' },
  { key: 'inactiveDays', label: 'No activity for at least', min: 1, max: 365, unit: 'days' },
  { key: 'lowScore', label: 'Completed with a score below', min: 0, max: 100, unit: 'points' },
];

/** The rules editor: when the server opens an attention item. */
export function AttentionRulesPanel() {
  const ids = useId();
  const queryClient = useQueryClient();
  const rules = useQuery({ queryKey: toolkitQueryKeys.attentionRules, queryFn: fetchAttentionRules });
  const [draft, setDraft] = useState<Record<string, string>>({});
  useEffect(() => {
    if (rules.data) setDraft(Object.fromEntries(FIELDS.map((f) => [f.key, String(rules.data[f.key])])));
  }, [rules.data]);
  const save = useMutation({
    mutationFn: () => saveAttentionRules(Object.fromEntries(FIELDS.map((f) => [f.key, Number(draft[f.key])]))),
    onSuccess: (saved) => queryClient.setQueryData(toolkitQueryKeys.attentionRules, saved),
  });
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    save.mutate();
  };
  return (
    <section className="panel card attention-rules" aria-labelledby={`${ids}-heading`}>
      <h2 id={`${ids}-heading`}>Rules</h2>
      <p className="panel-note">A reader needs attention when…</p>
      {rules.isPending ? (
        <LoadingMessage>Loading rules…</LoadingMessage>
      ) : rules.isError ? (
        <ErrorMessage error={rules.error} onRetry={() => void rules.refetch()} />
      ) : (
        <form onSubmit={onSubmit}>
          {FIELDS.map((field) => (
            <div className="field" key={field.key}>
              <label htmlFor={`${ids}-${field.key}`}>
                {field.label} ({field.unit})
              </label>
              <input
                id={`${ids}-${field.key}`}
                type="number"
                inputMode="numeric"
                required
                min={field.min}
                max={field.max}
                value={draft[field.key] ?? ''}
                onChange={(e) => setDraft({ ...draft, [field.key]: e.target.value })}
              />
            </div>
          ))}
          {save.isError && <ErrorMessage error={save.error} prefix="Not saved." />}
          {save.isSuccess && (
            <p className="notice notice-success" role="status">
              Rules saved.
            </p>
          )}
          <button type="submit" className="button button-primary" disabled={save.isPending}>
            Save rules
          </button>
        </form>
      )}
    </section>
  );
}
