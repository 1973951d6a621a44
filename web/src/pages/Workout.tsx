import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorMessage, Page, useLoad } from '../components/common';
import { Link } from '../router';
import { Player } from './Exercise';
import { loadRoutine } from './Routines';

/**
 * Follow a routine at the gym: one clip after the other, "exercise 3 of 8", its rounds and reps,
 * and a rest timer between exercises. Full screen on a phone keeps it readable from a distance.
 */
type Phase = { kind: 'exercise'; index: number } | { kind: 'rest'; next: number; left: number } | { kind: 'finished' };

export function WorkoutPage({ id }: { id: string }) {
  const loaded = useLoad((signal) => loadRoutine(id, signal), [id]);
  const [phase, setPhase] = useState<Phase>({ kind: 'exercise', index: 0 });
  const [rest, setRest] = useState(30);
  const root = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (phase.kind !== 'rest') return;
    if (phase.left <= 0) return setPhase({ kind: 'exercise', index: phase.next });
    const timer = window.setTimeout(() => setPhase({ ...phase, left: phase.left - 1 }), 1000);
    return () => window.clearTimeout(timer);
  }, [phase]);

  if (!loaded.data) {
    return (
      <Page title="Workout">
        {loaded.loading ? <p class="hint">Loading…</p> : <ErrorMessage error={loaded.error} onRetry={loaded.reload} />}
      </Page>
    );
  }
  const { routine, exercises } = loaded.data;
  const total = exercises.length;
  const advance = (from: number) => {
    if (from + 1 >= total) setPhase({ kind: 'finished' });
    else if (rest > 0) setPhase({ kind: 'rest', next: from + 1, left: rest });
    else setPhase({ kind: 'exercise', index: from + 1 });
  };
  const fullScreen = () => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void root.current?.requestFullscreen?.().catch(() => undefined);
  };
  const current = phase.kind === 'exercise' ? exercises[phase.index] : undefined;

  return (
    <Page title={`Workout: ${routine.name}`}>
      <div class="workout" ref={root}>
        <div class="row">
          <button type="button" onClick={fullScreen}>Full screen</button>
          <label>
            Rest between exercises{' '}
            <select value={rest} onChange={(e) => setRest(Number((e.target as HTMLSelectElement).value))}>
              {[0, 15, 30, 45, 60, 90].map((s) => (
                <option key={s} value={s}>{s ? `${s} s` : 'none'}</option>
              ))}
            </select>
          </label>
        </div>
        {total === 0 && <p class="empty">This routine has no exercises yet.</p>}
        {current && phase.kind === 'exercise' && (
          <>
            <p class="counter" aria-live="polite">
              Exercise {phase.index + 1} of {total}
            </p>
            <h2>{current.exercise_name}</h2>
            {current.rounds_reps && <p class="reps">{current.rounds_reps}</p>}
            <Player key={current.id} exercise={current} autoPlay onEnded={() => advance(phase.index)} />
            <p class="hint">The clip loops while you work; untick Loop to move on by itself when it ends.</p>
            <div class="row">
              <button type="button" disabled={phase.index === 0} onClick={() => setPhase({ kind: 'exercise', index: phase.index - 1 })}>
                Previous
              </button>
              <button type="button" class="primary" onClick={() => advance(phase.index)}>
                {phase.index + 1 >= total ? 'Finish' : 'Next exercise'}
              </button>
            </div>
          </>
        )}
        {phase.kind === 'rest' && (
          <div class="rest">
            <p class="counter" aria-live="polite">Rest</p>
            <p class="timer" role="timer" aria-label="Rest time left">{phase.left}</p>
            <p>Next: {exercises[phase.next]?.exercise_name} ({phase.next + 1} of {total})</p>
            <div class="row">
              <button type="button" onClick={() => setPhase({ ...phase, left: phase.left + 15 })}>+15 s</button>
              <button type="button" class="primary" onClick={() => setPhase({ kind: 'exercise', index: phase.next })}>Skip rest</button>
            </div>
          </div>
        )}
        {phase.kind === 'finished' && (
          <div class="rest">
            <p class="counter">Done: {total} exercises. Well done.</p>
            <div class="row">
              <button type="button" onClick={() => setPhase({ kind: 'exercise', index: 0 })}>Start again</button>
              <Link class="button" href={`/routines/${id}`}>Back to the routine</Link>
            </div>
          </div>
        )}
      </div>
    </Page>
  );
}
