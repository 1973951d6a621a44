import { useEffect, useRef, useState } from 'preact/hooks';
import { api, call, isAbort, type Exercise } from '../api/client';
import { AddToRoutine } from '../components/AddToRoutine';
import { ErrorMessage, ExerciseCard, Page } from '../components/common';
import { hasCriteria, paramsToSearch, searchToParams, toSearchBody, toggle, type NumRange, type SearchState } from '../lib/filters';
import { WEB_SEARCH_RESULTS } from '../lib/limits';
import { navigate, useLocation } from '../router';

/** The catalogue's own vocabulary (free-exercise-db), which processed videos are tagged with too. */
const MUSCLES = [
  'abdominals', 'abductors', 'adductors', 'biceps', 'calves', 'chest', 'forearms', 'glutes', 'hamstrings',
  'lats', 'lower back', 'middle back', 'neck', 'quadriceps', 'shoulders', 'traps', 'triceps',
];
const EQUIPMENT: [string, string][] = [
  ['body only', 'No equipment'], ['dumbbell', 'Dumbbell'], ['barbell', 'Barbell'], ['kettlebells', 'Kettlebells'],
  ['bands', 'Bands'], ['cable', 'Cable'], ['machine', 'Machine'], ['medicine ball', 'Medicine ball'],
  ['exercise ball', 'Exercise ball'], ['foam roll', 'Foam roll'], ['e-z curl bar', 'E-Z curl bar'], ['other', 'Other'],
];
const CATEGORIES = ['strength', 'stretching', 'plyometrics', 'cardio', 'powerlifting', 'olympic weightlifting', 'strongman'];
const DEBOUNCE_MS = 250;

function Checks({ legend, name, options, values, onChange }: {
  legend: string; name: string; options: [string, string][]; values: string[]; onChange: (v: string[]) => void;
}) {
  return (
    <details class="filter" open={values.length > 0}>
      <summary>
        {legend}
        {values.length > 0 && <span class="badge">{values.length}</span>}
      </summary>
      <fieldset>
        <legend class="visually-hidden">{legend}</legend>
        {options.map(([value, label]) => (
          <label key={value} class="check">
            <input type="checkbox" name={name} value={value} checked={values.includes(value)} onChange={() => onChange(toggle(values, value))} />
            {label}
          </label>
        ))}
      </fieldset>
    </details>
  );
}

function Range({ legend, value, max, onChange }: { legend: string; value: NumRange; max: number; onChange: (r: NumRange) => void }) {
  const field = (key: 'min' | 'max') => (
    <label>
      {key === 'min' ? 'from' : 'to'}
      <input
        type="number"
        min={0}
        max={max}
        inputMode="numeric"
        value={value[key] ?? ''}
        onInput={(e) => {
          const raw = (e.target as HTMLInputElement).value;
          const { [key]: _old, ...rest } = value;
          onChange(raw === '' ? rest : { ...rest, [key]: Number(raw) });
        }}
      />
    </label>
  );
  return (
    <fieldset class="range">
      <legend>{legend}</legend>
      {field('min')}
      {field('max')}
    </fieldset>
  );
}

export function SearchPage() {
  const { search } = useLocation();
  const state = paramsToSearch(new URLSearchParams(search));
  const [draft, setDraft] = useState(state.q);
  const [results, setResults] = useState<{ score: number; exercise: Exercise }[] | null>(null);
  const [meta, setMeta] = useState<{ ranker: string } | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const typing = useRef<number | undefined>(undefined);

  const update = (patch: Partial<SearchState>, replace = true) => {
    const qs = searchToParams({ ...state, ...patch }).toString();
    navigate(`/search${qs ? `?${qs}` : ''}`, { replace });
  };

  // The box updates the URL after a pause in typing; back/forward restores the box.
  useEffect(() => setDraft(state.q), [state.q]);
  const onType = (value: string) => {
    setDraft(value);
    window.clearTimeout(typing.current);
    typing.current = window.setTimeout(() => update({ q: value }), DEBOUNCE_MS);
  };

  const key = searchToParams(state).toString();
  useEffect(() => {
    if (!hasCriteria(state) || !state.q.trim()) {
      setResults(null);
      setError(null);
      return;
    }
    const controller = new AbortController();
    setLoading(true);
    call(() => api.POST('/api/v1/exercises/search', { body: toSearchBody(state, WEB_SEARCH_RESULTS), signal: controller.signal })).then(
      (answer) => {
        setResults(answer.results);
        setMeta({ ranker: answer.ranker });
        setError(null);
        setLoading(false);
      },
      (err: unknown) => {
        if (isAbort(err)) return;
        setError(err);
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [key]);

  const filterCount = searchToParams({ ...state, q: '' }).toString().split('&').filter(Boolean).length;
  return (
    <Page title="Search">
      <form class="search-box" role="search" onSubmit={(e) => (e.preventDefault(), window.clearTimeout(typing.current), update({ q: draft }, false))}>
        <label for="q">Describe what you are looking for</label>
        <input id="q" type="search" autoComplete="off" placeholder="e.g. loosen up my shoulders with no equipment" value={draft} onInput={(e) => onType((e.target as HTMLInputElement).value)} />
      </form>
      <div class="search-layout">
        <aside class="filters" aria-label="Filters">
          <h2>
            Filters {filterCount > 0 && <button type="button" class="link" onClick={() => update({ ...paramsToSearch(new URLSearchParams()), q: state.q })}>Clear</button>}
          </h2>
          <Checks legend="Muscles" name="muscles" options={MUSCLES.map((m) => [m, m])} values={state.muscles} onChange={(muscles) => update({ muscles })} />
          <Checks legend="Equipment" name="equipment" options={EQUIPMENT} values={state.equipment} onChange={(equipment) => update({ equipment })} />
          <Checks legend="Category" name="category" options={CATEGORIES.map((c) => [c, c])} values={state.category} onChange={(category) => update({ category })} />
          <Range legend="Level (0-10)" value={state.level} max={10} onChange={(level) => update({ level })} />
          <Range legend="Intensity (0-10)" value={state.intensity} max={10} onChange={(intensity) => update({ intensity })} />
          <Range legend="Length (seconds)" value={state.duration} max={3600} onChange={(duration) => update({ duration })} />
          <label class="stack">
            Source video URL
            <input type="url" value={state.source} placeholder="https://…" onChange={(e) => update({ source: (e.target as HTMLInputElement).value })} />
          </label>
          <label class="stack">
            Minimum score: {state.cutoff.toFixed(2)}
            <input type="range" min={0} max={1} step={0.05} value={state.cutoff} onChange={(e) => update({ cutoff: Number((e.target as HTMLInputElement).value) })} />
          </label>
          <label class="check">
            <input type="checkbox" checked={state.diverse} onChange={() => update({ diverse: !state.diverse })} />
            Diverse results (different movements)
          </label>
        </aside>
        <div class="results" aria-busy={loading}>
          <p class="hint" aria-live="polite">
            {!state.q.trim()
              ? 'Type what you want in your own words; the filters narrow it down.'
              : loading
                ? 'Searching…'
                : results
                  ? `${results.length} result${results.length === 1 ? '' : 's'}${meta?.ranker === 'fulltext' ? ' (matching words only: the search index is unavailable)' : ''}`
                  : ''}
          </p>
          <ErrorMessage error={error} />
          {results && results.length === 0 && !loading && <p class="empty">Nothing matches. Try other words, fewer filters or a lower minimum score.</p>}
          <ul class="grid">
            {(results ?? []).map(({ score, exercise }) => (
              <ExerciseCard key={exercise.id} exercise={exercise}>
                <p class="score" title="How well this matches your words, from 0 to 1">
                  Match <meter min={0} max={1} value={score} aria-label={`Match score ${score.toFixed(2)}`} /> {score.toFixed(2)}
                </p>
                <AddToRoutine exerciseId={exercise.id} compact />
              </ExerciseCard>
            ))}
          </ul>
        </div>
      </div>
    </Page>
  );
}
