import { useEffect, useReducer, useRef, useState } from 'preact/hooks';
import { api, call } from '../api/client';
import { ErrorMessage, Page } from '../components/common';
import { WEB_RECENT_JOBS } from '../lib/limits';
import {
  EMPTY_JOBS, isFinished, parseExerciseLines, plainError, progressReducer, STEPS,
  type ExplicitExercise, type JobCard, type JobView,
} from '../lib/progress';
import { Link } from '../router';

/**
 * Paste video links, follow each job step by step. Progress arrives over server-sent events;
 * when a stream drops, that job is polled every couple of seconds instead.
 */
const POLL_MS = 2000;

function pendingView(id: string, url: string, status: JobView['status'] = 'pending'): JobView {
  return { job_id: id, status, url, error: null, progress: { step: null, percent: 0 }, result: null, updated_at: '' };
}

function JobItem({ job, onCancel, onRetry }: { job: JobCard; onCancel: () => void; onRetry: () => void }) {
  const label = job.status === 'done' ? 'Done' : job.status === 'failed' ? 'Failed' : job.status === 'pending' ? 'Waiting' : 'Working';
  return (
    <li class={`job ${job.status}`} data-job={job.id}>
      <div class="job-head">
        <span class="job-url" title={job.url}>{job.url}</span>
        <span class="job-state">{label}</span>
      </div>
      <progress max={100} value={job.percent} aria-label={`Progress of ${job.url}`}>{job.percent}%</progress>
      <ol class="steps" aria-label="Steps">
        {STEPS.map((s, i) => (
          <li key={s.key} class={i < job.step || job.status === 'done' ? 'past' : i === job.step && job.status === 'in_progress' ? 'current' : ''} aria-current={i === job.step && job.status === 'in_progress' ? 'step' : undefined}>
            {s.label}
          </li>
        ))}
      </ol>
      <p class="hint">
        {job.percent}%{job.polling && !isFinished(job.status) ? ' · live updates lost, checking every few seconds' : ''}
      </p>
      {job.status === 'failed' && <p class="error" role="alert">{plainError(job.error, job.errorCode)}</p>}
      {job.status === 'done' && (
        <div class="clips">
          <p>{job.clips.length ? `${job.clips.length} clip${job.clips.length === 1 ? '' : 's'}:` : 'No exercises were found in this video.'}</p>
          <ul>
            {job.clips.map((c) => (
              <li key={c.id}>
                <Link href={`/exercises/${c.id}`}>{c.name}</Link>
              </li>
            ))}
          </ul>
        </div>
      )}
      <div class="row">
        {!isFinished(job.status) && <button type="button" onClick={onCancel}>Cancel</button>}
        {job.status === 'failed' && <button type="button" class="primary" onClick={onRetry}>Retry</button>}
      </div>
    </li>
  );
}

export function ProcessPage() {
  const [state, dispatch] = useReducer(progressReducer, EMPTY_JOBS);
  const [urls, setUrls] = useState('');
  const [lines, setLines] = useState('');
  const [force, setForce] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notes, setNotes] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const watching = useRef(new Map<string, () => void>());

  useEffect(() => {
    call(() => api.GET('/api/v1/jobs', { params: { query: { limit: WEB_RECENT_JOBS } } })).then(
      (jobs) => jobs.forEach((job) => dispatch({ type: 'update', job })),
      setError,
    );
    return () => watching.current.forEach((stop) => stop());
  }, []);

  // One watcher per unfinished job: a stream, or a poll once its stream has dropped.
  useEffect(() => {
    const map = watching.current;
    for (const id of state.order) {
      const job = state.jobs[id]!;
      const key = `${id}:${job.polling ? 'poll' : 'sse'}`;
      if (isFinished(job.status)) {
        for (const [k, stop] of map) if (k.startsWith(`${id}:`)) (stop(), map.delete(k));
        continue;
      }
      if (map.has(key)) continue;
      if (!job.polling) {
        const source = new EventSource(`/api/v1/jobs/${id}/events`);
        source.addEventListener('progress', (e) => {
          const view = JSON.parse((e as MessageEvent<string>).data) as JobView;
          if (isFinished(view.status)) source.close();
          dispatch({ type: 'update', job: view });
        });
        source.onerror = () => {
          if (source.readyState === EventSource.CLOSED || source.readyState === EventSource.CONNECTING) {
            source.close();
            dispatch({ type: 'stream-lost', id });
          }
        };
        map.set(key, () => source.close());
      } else {
        map.get(`${id}:sse`)?.();
        map.delete(`${id}:sse`);
        const timer = window.setInterval(() => {
          call(() => api.GET('/api/v1/job-status/{job_id}', { params: { path: { job_id: id } } })).then(
            (view) => dispatch({ type: 'update', job: view }),
            () => undefined,
          );
        }, POLL_MS);
        map.set(key, () => window.clearInterval(timer));
      }
    }
  }, [state]);

  const submitOne = async (url: string, exercises?: ExplicitExercise[], again = force) => {
    const answer = await call(() =>
      api.POST('/api/v1/process', { body: { url, background: true, force: again, ...(exercises?.length ? { exercises } : {}) } }),
    );
    if (answer.job_id) {
      dispatch({ type: 'submitted', job: pendingView(answer.job_id, url), ...(exercises ? { exercises } : {}) });
    } else if (answer.existing) {
      setNotes((n) => [...n, `${url} was already processed (${answer.total_clips} clips). Tick "process again" to redo it.`]);
    }
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setNotes([]);
    const list = urls.split(/\s+/).map((u) => u.trim()).filter(Boolean);
    if (!list.length) return setError(new Error('Paste at least one video link.'));
    const parsed = parseExerciseLines(lines);
    if (parsed.errors.length) return setError(new Error(parsed.errors.join(' ')));
    if (parsed.exercises.length && list.length > 1) return setError(new Error('Exercises with times apply to one video: paste a single link.'));
    setBusy(true);
    for (const url of list) {
      try {
        await submitOne(url, parsed.exercises.length ? parsed.exercises : undefined);
      } catch (err) {
        setError(err);
      }
    }
    setBusy(false);
    setUrls('');
    setLines('');
  };

  const cancel = (id: string) =>
    call(() => api.POST('/api/v1/jobs/{job_id}/cancel', { params: { path: { job_id: id } } })).then(
      (view) => dispatch({ type: 'update', job: view }),
      setError,
    );
  const retry = (job: JobCard) => submitOne(job.url, job.exercises, false).then(() => dispatch({ type: 'dismiss', id: job.id }), setError);

  return (
    <Page title="Process videos">
      <form class="process" onSubmit={(e) => void submit(e)}>
        <label class="stack" for="urls">
          Video links (one per line)
        </label>
        <textarea id="urls" rows={3} value={urls} placeholder="https://www.instagram.com/p/…" onInput={(e) => setUrls((e.target as HTMLTextAreaElement).value)} />
        <details>
          <summary>Name the exercises yourself (optional)</summary>
          <label class="stack" for="lines">
            One per line: name, start, end (seconds or m:ss). Skips the automatic analysis.
          </label>
          <textarea id="lines" rows={3} value={lines} placeholder={'Goblet squat, 0:03, 0:14'} onInput={(e) => setLines((e.target as HTMLTextAreaElement).value)} />
        </details>
        <label class="check">
          <input type="checkbox" checked={force} onChange={() => setForce(!force)} /> Process again if already done
        </label>
        <button type="submit" class="primary" disabled={busy}>
          Process
        </button>
      </form>
      <ErrorMessage error={error} />
      {notes.map((n) => (
        <p class="note" role="status" key={n}>{n}</p>
      ))}
      <h2>Jobs</h2>
      {state.order.length === 0 && <p class="empty">No jobs yet.</p>}
      <ul class="jobs">
        {state.order.map((id) => (
          <JobItem key={id} job={state.jobs[id]!} onCancel={() => void cancel(id)} onRetry={() => void retry(state.jobs[id]!)} />
        ))}
      </ul>
    </Page>
  );
}
