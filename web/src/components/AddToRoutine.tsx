import { useState } from 'preact/hooks';
import { api, call, type Routine } from '../api/client';
import { ErrorMessage, useLoad } from './common';
import { ROUTINES_MAX_LIMIT } from '../lib/limits';

// A page of search results shows this form once per card: they share one request for the list.
let cached: { at: number; list: Promise<Routine[]> } | null = null;
function loadRoutines(): Promise<Routine[]> {
  if (!cached || Date.now() - cached.at > 5000) {
    const list = call(() => api.GET('/api/v1/routines', { params: { query: { limit: ROUTINES_MAX_LIMIT } } }));
    cached = { at: Date.now(), list };
    list.catch(() => (cached = null));
    return list;
  }
  return cached.list;
}
export function forgetRoutines(): void {
  cached = null;
}

/** "Add to routine" for one exercise: pick a routine (or name a new one) and add it at the end. */
export function AddToRoutine({ exerciseId, compact = false }: { exerciseId: string; compact?: boolean }) {
  const routines = useLoad(() => loadRoutines(), []);
  const [choice, setChoice] = useState('');
  const [newName, setNewName] = useState('');
  const [message, setMessage] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const list: Routine[] = routines.data ?? [];
  const selected = choice || list[0]?.routine_id || 'new';

  const add = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setMessage('');
    try {
      if (selected === 'new') {
        // The compact form (one per search result) has no name box: the routine page renames it.
        const name = newName.trim() || 'My routine';
        const created = await call(() => api.POST('/api/v1/routines', { body: { name, description: null, exercise_ids: [exerciseId] } }));
        forgetRoutines();
        routines.set([created, ...list]);
        setChoice(created.routine_id);
        setNewName('');
        setMessage(`Added to the new routine "${created.name}".`);
      } else {
        // Read the routine fresh: another tab may have changed it since the list loaded.
        const current = await call(() => api.GET('/api/v1/routines/{id}', { params: { path: { id: selected } } }));
        if (current.exercise_ids.includes(exerciseId)) {
          setMessage(`Already in "${current.name}".`);
        } else {
          const updated = await call(() =>
            api.PATCH('/api/v1/routines/{id}', { params: { path: { id: selected } }, body: { exercise_ids: [...current.exercise_ids, exerciseId] } }),
          );
          setMessage(`Added to "${updated.name}" (${updated.exercise_ids.length} exercises).`);
        }
      }
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const id = `routine-for-${exerciseId}`;
  return (
    <form class={`add-to-routine${compact ? ' compact' : ''}`} onSubmit={(e) => void add(e)}>
      <label for={id}>{compact ? <span class="visually-hidden">Routine</span> : 'Add to routine'}</label>
      <select id={id} value={selected} onChange={(e) => setChoice((e.target as HTMLSelectElement).value)}>
        {list.map((r) => (
          <option key={r.routine_id} value={r.routine_id}>
            {r.name}
          </option>
        ))}
        <option value="new">New routine…</option>
      </select>
      {selected === 'new' && !compact && (
        <>
          <label for={`${id}-name`} class="visually-hidden">
            New routine name
          </label>
          <input id={`${id}-name`} placeholder="New routine name" value={newName} onInput={(e) => setNewName((e.target as HTMLInputElement).value)} />
        </>
      )}
      <button type="submit" disabled={busy}>
        Add
      </button>
      {message && (
        <span class="ok" role="status">
          {message}
        </span>
      )}
      <ErrorMessage error={error ?? routines.error} />
    </form>
  );
}
