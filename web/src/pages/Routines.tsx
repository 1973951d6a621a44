import { useState } from 'preact/hooks';
import { api, call, type Exercise, type Routine } from '../api/client';
import { forgetRoutines } from '../components/AddToRoutine';
import { ROUTINES_MAX_LIMIT } from '../lib/limits';
import { ConfirmDelete, ErrorMessage, Page, Thumb, useLoad } from '../components/common';
import { Sortable } from '../components/Sortable';
import { formatSeconds } from '../lib/format';
import { Link, navigate } from '../router';

export function RoutinesPage() {
  const routines = useLoad((signal) => call(() => api.GET('/api/v1/routines', { params: { query: { limit: ROUTINES_MAX_LIMIT } }, signal })), []);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<unknown>(null);
  const create = async (e: Event) => {
    e.preventDefault();
    try {
      const r = await call(() =>
        api.POST('/api/v1/routines', { body: { name: name.trim(), description: description.trim() || null, exercise_ids: [] } }),
      );
      forgetRoutines();
      navigate(`/routines/${r.routine_id}`);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Page title="Routines">
      <form class="create-routine" onSubmit={(e) => void create(e)}>
        <h2>New routine</h2>
        <label class="stack">
          Name
          <input required maxLength={200} value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </label>
        <label class="stack">
          Description (optional)
          <input value={description} onInput={(e) => setDescription((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" class="primary">
          Create
        </button>
        <ErrorMessage error={error} />
      </form>
      <ErrorMessage error={routines.error} onRetry={routines.reload} />
      {routines.data?.length === 0 && <p class="empty">No routines yet. Create one, then add exercises from search or an exercise's page.</p>}
      <ul class="routine-list">
        {(routines.data ?? []).map((r) => (
          <li key={r.routine_id}>
            <Link href={`/routines/${r.routine_id}`}>{r.name}</Link>
            <span class="hint">
              {' '}
              {r.exercise_ids.length} exercise{r.exercise_ids.length === 1 ? '' : 's'}
            </span>
            {r.description && <p class="hint">{r.description}</p>}
          </li>
        ))}
      </ul>
    </Page>
  );
}

export async function loadRoutine(id: string, signal: AbortSignal): Promise<{ routine: Routine; exercises: Exercise[] }> {
  const routine = await call(() => api.GET('/api/v1/routines/{id}', { params: { path: { id } }, signal }));
  const exercises = routine.exercise_ids.length
    ? await call(() => api.POST('/api/v1/exercises/bulk', { body: { exercise_ids: routine.exercise_ids }, signal }))
    : [];
  return { routine, exercises };
}
export function RoutinePage({ id }: { id: string }) {
  const loaded = useLoad((signal) => loadRoutine(id, signal), [id]);
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState('');
  if (!loaded.data) {
    return (
      <Page title="Routine">
        {loaded.loading ? <p class="hint">Loading…</p> : <ErrorMessage error={loaded.error} onRetry={loaded.reload} />}
      </Page>
    );
  }
  const { routine, exercises } = loaded.data;
  const byId = new Map(exercises.map((e) => [e.id, e]));
  const patch = async (body: { name?: string; description?: string | null; exercise_ids?: string[] }, optimistic?: string[]) => {
    const before = loaded.data!;
    if (optimistic) loaded.set({ routine: { ...routine, exercise_ids: optimistic }, exercises });
    setError(null);
    setSaved('');
    try {
      const updated = await call(() => api.PATCH('/api/v1/routines/{id}', { params: { path: { id } }, body }));
      loaded.set({ routine: updated, exercises: exercises.filter((e) => updated.exercise_ids.includes(e.id)) });
      setSaved('Saved.');
      forgetRoutines();
    } catch (err) {
      loaded.set(before);
      setError(err);
    }
  };
  const remove = async () => {
    try {
      await call(() => api.DELETE('/api/v1/routines/{id}', { params: { path: { id } } }));
      forgetRoutines();
      navigate('/routines');
    } catch (err) {
      setError(err);
    }
  };
  const ids = routine.exercise_ids.filter((x) => byId.has(x));
  return (
    <Page title={routine.name}>
      {editing ? (
        <form
          class="edit"
          onSubmit={(e) => {
            e.preventDefault();
            const f = new FormData(e.currentTarget as HTMLFormElement);
            void patch({ name: String(f.get('name')).trim(), description: String(f.get('description')).trim() || null }).then(() => setEditing(false));
          }}
        >
          <label class="stack">
            Name
            <input name="name" required maxLength={200} defaultValue={routine.name} />
          </label>
          <label class="stack">
            Description
            <textarea name="description" rows={2} defaultValue={routine.description ?? ''} />
          </label>
          <div class="row">
            <button type="submit" class="primary">Save</button>
            <button type="button" onClick={() => setEditing(false)}>Cancel</button>
          </div>
        </form>
      ) : (
        <>
          {routine.description && <p class="prose">{routine.description}</p>}
          <div class="row">
            {ids.length > 0 && (
              <Link class="button primary" href={`/routines/${id}/workout`}>
                Start workout
              </Link>
            )}
            <button type="button" onClick={() => setEditing(true)}>Rename or describe</button>
            <ConfirmDelete
              label="Delete routine"
              id="confirm-routine"
              question={`Delete the routine "${routine.name}"? The exercises stay in your library.`}
              onConfirm={() => void remove()}
            />
          </div>
        </>
      )}
      <ErrorMessage error={error} />
      <p class="ok" role="status">{saved}</p>
      {ids.length === 0 ? (
        <p class="empty">
          No exercises yet. Add some from <Link href="/search">Search</Link> or an exercise's page.
        </p>
      ) : (
        <Sortable
          items={ids.map((x, i) => {
            const e = byId.get(x)!;
            return {
              key: x,
              label: e.exercise_name,
              content: (
                <div class="routine-row">
                  <Thumb exercise={e} />
                  <div>
                    <Link href={`/exercises/${e.id}`}>
                      {i + 1}. {e.exercise_name}
                    </Link>
                    <p class="hint">{[e.rounds_reps, formatSeconds(e.duration)].filter(Boolean).join(' · ')}</p>
                  </div>
                  <button type="button" class="link" onClick={() => void patch({ exercise_ids: ids.filter((o) => o !== x) }, ids.filter((o) => o !== x))}>
                    Remove<span class="visually-hidden"> {e.exercise_name}</span>
                  </button>
                </div>
              ),
            };
          })}
          onReorder={(order) => void patch({ exercise_ids: order }, order)}
        />
      )}
    </Page>
  );
}
