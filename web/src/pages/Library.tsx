import { useEffect, useRef, useState } from 'preact/hooks';
import { api, call, isAbort, type Exercise } from '../api/client';
import { ErrorMessage, ExerciseCard, Page } from '../components/common';

/**
 * The library as a grid, loaded a page at a time as the reader scrolls (server-side paging, so
 * 10k rows cost the same as 100 until someone scrolls through them; cards off screen skip
 * rendering through `content-visibility`).
 */
const PAGE = 48;
const SORTS = [
  ['created_at', 'Newest'],
  ['exercise_name', 'Name'],
  ['fitness_level', 'Level'],
  ['intensity', 'Intensity'],
  ['duration', 'Length'],
] as const;
type Sort = (typeof SORTS)[number][0];

export function LibraryPage() {
  const [sort, setSort] = useState<Sort>('created_at');
  const [items, setItems] = useState<Exercise[]>([]);
  const [done, setDone] = useState(false);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const sentinel = useRef<HTMLDivElement>(null);
  const controller = useRef<AbortController | null>(null);

  const loadMore = (reset = false) => {
    if (!reset && (loading || done)) return;
    controller.current?.abort();
    const c = new AbortController();
    controller.current = c;
    const offset = reset ? 0 : items.length;
    setLoading(true);
    setError(null);
    call(() =>
      api.GET('/api/v1/exercises', {
        params: { query: { limit: PAGE, offset, sort, order: sort === 'exercise_name' ? 'asc' : 'desc' } },
        signal: c.signal,
      }),
    ).then(
      (page) => {
        setItems((prev) => (reset ? page : [...prev, ...page]));
        setDone(page.length < PAGE);
        setLoading(false);
      },
      (err: unknown) => {
        if (isAbort(err)) return;
        setError(err);
        setLoading(false);
      },
    );
  };

  useEffect(() => {
    setItems([]);
    setDone(false);
    loadMore(true);
    return () => controller.current?.abort();
  }, [sort]);

  useEffect(() => {
    const el = sentinel.current;
    if (!el) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && loadMore(), { rootMargin: '600px' });
    observer.observe(el);
    return () => observer.disconnect();
  });

  return (
    <Page title="Library">
      <div class="toolbar">
        <label>
          Sort by{' '}
          <select value={sort} onChange={(e) => setSort((e.target as HTMLSelectElement).value as Sort)}>
            {SORTS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <span class="hint" aria-live="polite">
          {items.length} shown{done ? '' : ', more as you scroll'}
        </span>
      </div>
      {!loading && done && items.length === 0 && (
        <p class="empty">
          Your library is empty. Process a video (the Process page) or import a catalogue with <code>npm run cli -- import</code>.
        </p>
      )}
      <ul class="grid" aria-busy={loading}>
        {items.map((e) => (
          <ExerciseCard key={e.id} exercise={e} />
        ))}
      </ul>
      <ErrorMessage error={error} onRetry={() => loadMore()} />
      <div ref={sentinel} class="sentinel">
        {loading && <p class="hint">Loading…</p>}
        {!done && !loading && !error && (
          <button type="button" onClick={() => loadMore()}>
            Load more
          </button>
        )}
      </div>
    </Page>
  );
}
