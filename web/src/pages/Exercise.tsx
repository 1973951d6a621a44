import { useRef, useState } from 'preact/hooks';
import { api, call, clipUrl, thumbUrl, type Exercise } from '../api/client';
import { AddToRoutine } from '../components/AddToRoutine';
import { ConfirmDelete, ErrorMessage, Page, sourceLabel, Thumb, useLoad } from '../components/common';
import { formatSeconds, levelWord, linkableUrl } from '../lib/format';
import { navigate } from '../router';

const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 2];

/**
 * The clip with its own controls below it (so on a phone nothing covers the picture). It loops
 * by default: people follow it while doing their reps; `onEnded` only fires once Loop is off.
 */
export function Player({ exercise, autoPlay = false, onEnded }: { exercise: Exercise; autoPlay?: boolean; onEnded?: () => void }) {
  const video = useRef<HTMLVideoElement>(null);
  const [loop, setLoop] = useState(true);
  const [speed, setSpeed] = useState(1);
  const src = clipUrl(exercise);
  if (!src) return <Thumb exercise={exercise} />;
  return (
    <div class="player">
      <video
        ref={video}
        src={src}
        poster={thumbUrl(exercise) ?? undefined}
        controls
        playsInline
        preload="metadata"
        loop={loop}
        autoPlay={autoPlay}
        muted={autoPlay}
        onEnded={onEnded}
        aria-label={`Clip: ${exercise.exercise_name}`}
      />
      <div class="player-controls">
        <label class="check">
          <input type="checkbox" checked={loop} onChange={() => setLoop(!loop)} /> Loop
        </label>
        <label>
          Speed{' '}
          <select
            value={speed}
            onChange={(e) => {
              const v = Number((e.target as HTMLSelectElement).value);
              setSpeed(v);
              if (video.current) video.current.playbackRate = v;
            }}
          >
            {SPEEDS.map((s) => (
              <option key={s} value={s}>
                {s}×
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => video.current && (video.current.currentTime = 0)}>
          Restart
        </button>
      </div>
    </div>
  );
}

const TEXT_FIELDS = [
  ['how_to', 'How to do it'],
  ['benefits', 'Benefits'],
  ['counteracts', 'Counteracts'],
] as const;

function EditForm({ exercise, onSaved, onCancel }: { exercise: Exercise; onSaved: (e: Exercise) => void; onCancel: () => void }) {
  const [form, setForm] = useState({
    exercise_name: exercise.exercise_name,
    how_to: exercise.how_to ?? '',
    benefits: exercise.benefits ?? '',
    counteracts: exercise.counteracts ?? '',
    rounds_reps: exercise.rounds_reps ?? '',
    fitness_level: exercise.fitness_level ?? '',
    intensity: exercise.intensity ?? '',
  });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = (key: keyof typeof form) => (e: Event) => setForm({ ...form, [key]: (e.target as HTMLInputElement).value });
  const text = (v: string) => (v.trim() ? v.trim() : null);
  const level = (v: string | number) => (v === '' ? null : Number(v));
  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      const body = {
        exercise_name: form.exercise_name.trim(),
        how_to: text(form.how_to),
        benefits: text(form.benefits),
        counteracts: text(form.counteracts),
        rounds_reps: text(form.rounds_reps),
        fitness_level: level(form.fitness_level),
        intensity: level(form.intensity),
      };
      onSaved(await call(() => api.PATCH('/api/v1/exercises/{id}', { params: { path: { id: exercise.id } }, body })));
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <form class="edit" onSubmit={(e) => void save(e)}>
      <label class="stack">
        Name
        <input required value={form.exercise_name} onInput={set('exercise_name')} />
      </label>
      {TEXT_FIELDS.map(([key, label]) => (
        <label class="stack" key={key}>
          {label}
          <textarea rows={3} value={form[key]} onInput={set(key)} />
        </label>
      ))}
      <label class="stack">
        Rounds and reps
        <input value={form.rounds_reps} onInput={set('rounds_reps')} />
      </label>
      <div class="row">
        <label class="stack">
          Level (0-10)
          <input type="number" min={0} max={10} value={form.fitness_level} onInput={set('fitness_level')} />
        </label>
        <label class="stack">
          Intensity (0-10)
          <input type="number" min={0} max={10} value={form.intensity} onInput={set('intensity')} />
        </label>
      </div>
      <ErrorMessage error={error} />
      <div class="row">
        <button type="submit" class="primary" disabled={busy}>
          Save
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function ExercisePage({ id }: { id: string }) {
  const loaded = useLoad((signal) => call(() => api.GET('/api/v1/exercises/{id}', { params: { path: { id } }, signal })), [id]);
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const e = loaded.data;
  if (!e) {
    return (
      <Page title="Exercise">
        {loaded.loading ? <p class="hint">Loading…</p> : <ErrorMessage error={loaded.error} onRetry={loaded.reload} />}
      </Page>
    );
  }
  const remove = async () => {
    try {
      await call(() => api.DELETE('/api/v1/exercises/{id}', { params: { path: { id } } }));
      navigate('/library');
    } catch (err) {
      setError(err);
    }
  };
  const muscles = [...e.primary_muscles, ...e.secondary_muscles];
  const source = linkableUrl(e.url);
  return (
    <Page title={e.exercise_name}>
      <div class="exercise-layout">
        <Player exercise={e} />
        <div class="details">
          {editing ? (
            <EditForm exercise={e} onSaved={(saved) => (loaded.set(saved), setEditing(false))} onCancel={() => setEditing(false)} />
          ) : (
            <>
              <dl class="facts wide">
                <div><dt>Level</dt><dd>{levelWord(e.fitness_level)}</dd></div>
                <div><dt>Intensity</dt><dd>{e.intensity ?? '–'}/10</dd></div>
                {e.rounds_reps && <div><dt>Rounds and reps</dt><dd>{e.rounds_reps}</dd></div>}
                {e.category && <div><dt>Category</dt><dd>{e.category}</dd></div>}
                {e.equipment && <div><dt>Equipment</dt><dd>{e.equipment === 'body only' ? 'none (body only)' : e.equipment}</dd></div>}
                {muscles.length > 0 && <div><dt>Muscles</dt><dd>{muscles.join(', ')}</dd></div>}
                <div>
                  <dt>Source</dt>
                  <dd>
                    {source ? <a href={source} rel="noopener noreferrer" target="_blank">{sourceLabel(e)}</a> : sourceLabel(e)}
                    {e.start_time !== null && e.end_time !== null && ` (${formatSeconds(e.start_time)} to ${formatSeconds(e.end_time)})`}
                  </dd>
                </div>
              </dl>
              {TEXT_FIELDS.map(([key, label]) =>
                e[key] ? (
                  <section key={key}>
                    <h2>{label}</h2>
                    <p class="prose">{e[key]}</p>
                  </section>
                ) : null,
              )}
              <div class="row">
                <button type="button" onClick={() => setEditing(true)}>Edit</button>
                <ConfirmDelete
                  label="Delete"
                  id="confirm-delete"
                  question={`Delete "${e.exercise_name}" with its clip? It also leaves every routine.`}
                  onConfirm={() => void remove()}
                />
              </div>
            </>
          )}
          <ErrorMessage error={error} />
          <AddToRoutine exerciseId={e.id} />
        </div>
      </div>
    </Page>
  );
}
