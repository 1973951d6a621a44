import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { errorText, isAbort, thumbUrl, type Exercise } from '../api/client';
import { formatSeconds, levelWord } from '../lib/format';
import { Link } from '../router';

export function ErrorMessage({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  if (!error) return null;
  return (
    <div class="error" role="alert">
      <p>{errorText(error)}</p>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** Loads something for a page: data, error and a reload, with the request aborted on unmount. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]) {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true, error: undefined }));
    load(controller.signal).then(
      (data) => setState({ data, loading: false }),
      (error: unknown) => {
        if (!isAbort(error)) setState({ error, loading: false });
      },
    );
    return () => controller.abort();
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((t) => t + 1), set: (data: T) => setState({ data, loading: false }) };
}

export function Thumb({ exercise }: { exercise: Exercise }) {
  const src = thumbUrl(exercise);
  if (!src) {
    return (
      <div class="thumb placeholder" aria-hidden="true">
        <span>{exercise.exercise_name.slice(0, 1).toUpperCase()}</span>
        <small>No clip</small>
      </div>
    );
  }
  return <img class="thumb" src={src} alt="" loading="lazy" decoding="async" width={320} height={180} />;
}

export function sourceLabel(e: Exercise): string {
  if (e.platform === 'catalogue') return 'Catalogue';
  if (e.url) {
    try {
      return new URL(e.url).hostname.replace(/^www\./, '') || e.platform;
    } catch {
      return e.platform;
    }
  }
  return e.platform;
}

export function ExerciseCard({ exercise, children }: { exercise: Exercise; children?: ComponentChildren }) {
  const e = exercise;
  return (
    <li class="card">
      <Link href={`/exercises/${e.id}`} class="card-link">
        <Thumb exercise={e} />
        <span class="card-title">{e.exercise_name}</span>
      </Link>
      <dl class="facts">
        <div>
          <dt>Level</dt>
          <dd>{levelWord(e.fitness_level)}</dd>
        </div>
        <div>
          <dt>Intensity</dt>
          <dd>{e.intensity ?? '–'}/10</dd>
        </div>
        {e.duration !== null && (
          <div>
            <dt>Length</dt>
            <dd>{formatSeconds(e.duration)}</dd>
          </div>
        )}
        <div>
          <dt>Source</dt>
          <dd>{sourceLabel(e)}</dd>
        </div>
      </dl>
      {children}
    </li>
  );
}

export function Page({ title, children }: { title: string; children: ComponentChildren }) {
  useEffect(() => {
    document.title = `${title} · Fitness Builder`;
  }, [title]);
  return (
    <section class="page" aria-labelledby="page-title">
      <h1 id="page-title">{title}</h1>
      {children}
    </section>
  );
}

/**
 * A destructive button that asks first: the question and "Yes, delete" / "Keep it" replace it
 * in place until answered.
 */
export function ConfirmDelete({ label, question, id, onConfirm }: { label: string; question: ComponentChildren; id: string; onConfirm: () => void }) {
  const [confirming, setConfirming] = useState(false);
  if (!confirming) {
    return (
      <button type="button" class="danger" onClick={() => setConfirming(true)}>{label}</button>
    );
  }
  return (
    <div class="confirm" role="alertdialog" aria-labelledby={id}>
      <p id={id}>{question}</p>
      <button type="button" class="danger" onClick={onConfirm}>Yes, delete</button>
      <button type="button" onClick={() => setConfirming(false)}>Keep it</button>
    </div>
  );
}
