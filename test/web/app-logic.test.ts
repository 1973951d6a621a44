import { describe, expect, it } from 'vitest';
import { EMPTY_SEARCH, hasCriteria, paramsToSearch, searchToParams, toSearchBody, toggle, type SearchState } from '../../web/src/lib/filters.js';
import { describeHealth, formatSeconds, linkableUrl } from '../../web/src/lib/format.js';
import { PIPELINE_STEP_NAMES } from '../../src/domain/index.js';
import { EMPTY_JOBS, parseExerciseLines, plainError, progressReducer, stepIndex, STEPS, type JobView } from '../../web/src/lib/progress.js';
import { dropIndex, keyMove, moveItem } from '../../web/src/lib/reorder.js';

/** The web app's own logic, apart from the DOM: search state and the URL, reordering, job progress. */
describe('search state <-> URL', () => {
  const full: SearchState = {
    q: 'tight hips',
    muscles: ['glutes', 'adductors'].sort(),
    equipment: ['body only'],
    category: ['stretching'],
    level: { min: 2, max: 5 },
    intensity: { max: 4 },
    duration: { min: 10 },
    source: 'https://example.com/v.mp4',
    cutoff: 0.3,
    diverse: true,
  };

  it.each([
    ['empty', EMPTY_SEARCH, ''],
    ['query only', { ...EMPTY_SEARCH, q: '  squat  ' }, 'q=squat'],
    ['lists sorted and joined', { ...EMPTY_SEARCH, muscles: ['quadriceps', 'glutes'] }, 'muscles=glutes%2Cquadriceps'],
    ['range half open', { ...EMPTY_SEARCH, level: { max: 5 } }, 'level_max=5'],
    ['toggles', { ...EMPTY_SEARCH, cutoff: 0.5, diverse: true }, 'cutoff=0.5&diverse=1'],
  ])('%s', (_name, state, expected) => {
    expect(searchToParams(state).toString()).toBe(expected);
  });

  it('round-trips every field', () => {
    expect(paramsToSearch(searchToParams(full))).toEqual(full);
  });

  it.each([
    ['level_min=-3&level_max=99', { level: { min: 0, max: 10 } }],
    ['intensity_min=abc', { intensity: {} }],
    ['cutoff=7', { cutoff: 1 }],
    ['muscles=chest,,chest, lats', { muscles: ['chest', 'lats'] }],
    ['diverse=true', { diverse: true }],
  ])('cleans hand-edited URLs: %s', (qs, expected) => {
    expect(paramsToSearch(new URLSearchParams(qs))).toMatchObject(expected);
  });

  it('builds the API body: filters only when set, score threshold only above 0', () => {
    expect(toSearchBody({ ...EMPTY_SEARCH, q: ' x ' }, 20)).toEqual({ query: 'x', limit: 20, diverse: false });
    expect(toSearchBody(full, 10)).toEqual({
      query: 'tight hips',
      limit: 10,
      diverse: true,
      score_threshold: 0.3,
      filters: {
        muscles: ['adductors', 'glutes'],
        equipment: ['body only'],
        category: ['stretching'],
        fitness_level: { min: 2, max: 5 },
        intensity: { max: 4 },
        duration: { min: 10 },
        url: 'https://example.com/v.mp4',
      },
    });
  });

  it('knows when there is something to search for, and toggles list values', () => {
    expect(hasCriteria(EMPTY_SEARCH)).toBe(false);
    expect(hasCriteria({ ...EMPTY_SEARCH, diverse: true })).toBe(false);
    expect(hasCriteria({ ...EMPTY_SEARCH, category: ['cardio'] })).toBe(true);
    expect(toggle(['b'], 'a')).toEqual(['a', 'b']);
    expect(toggle(['a', 'b'], 'a')).toEqual(['b']);
  });
});

describe('reordering', () => {
  it.each([
    [0, 2, ['b', 'c', 'a', 'd']],
    [3, 0, ['d', 'a', 'b', 'c']],
    [1, 1, ['a', 'b', 'c', 'd']],
    [2, 99, ['a', 'b', 'd', 'c']],
    [9, 0, ['a', 'b', 'c', 'd']],
  ])('moveItem from %i to %i', (from, to, expected) => {
    expect(moveItem(['a', 'b', 'c', 'd'], from, to)).toEqual(expected);
  });

  // Rows 40 px high: midpoints 20, 60, 100, 140.
  it.each([
    [0, 75, 1],
    [0, 150, 3],
    [3, 10, 0],
    [3, 70, 2],
    [1, 60, 1],
  ])('dropIndex: row %i dropped at y=%i lands at %i', (from, y, expected) => {
    expect(dropIndex([20, 60, 100, 140], from, y)).toBe(expected);
  });

  it.each([
    ['ArrowUp', 0, 0],
    ['ArrowUp', 2, 1],
    ['ArrowDown', 2, 3],
    ['ArrowDown', 3, 3],
    ['Home', 2, 0],
    ['End', 0, 3],
    ['a', 1, null],
  ])('keyMove %s from %i', (key, index, expected) => {
    expect(keyMove(key, index, 4)).toBe(expected);
  });
});

describe('job progress', () => {
  const view = (over: Partial<JobView>): JobView => ({
    job_id: 'j1',
    status: 'in_progress',
    url: 'https://example.com/v.mp4',
    error: null,
    progress: { step: null, percent: 0 },
    result: null,
    updated_at: '2026-01-01T00:00:01.000Z',
    ...over,
  });

  it('maps every server step to a shown step, in the pipeline\'s order', () => {
    const shown = PIPELINE_STEP_NAMES.map((name) => stepIndex(name));
    for (const [i, index] of shown.entries()) expect(index, PIPELINE_STEP_NAMES[i]).toBeGreaterThanOrEqual(0);
    expect(shown).toEqual([...shown].sort((a, b) => a - b));
    expect(shown.at(-1)).toBe(STEPS.length - 1);
    expect(stepIndex(null)).toBe(-1);
    expect(stepIndex('a step no server reports')).toBe(-1);
    expect(STEPS[stepIndex('cutting clips')]!.key).toBe('cut');
  });

  it('follows a job from submission to its clips', () => {
    let s = progressReducer(EMPTY_JOBS, { type: 'submitted', job: view({ status: 'pending', updated_at: '' }), exercises: [{ name: 'A', start_time: 0, end_time: 2 }] });
    expect(s.order).toEqual(['j1']);
    s = progressReducer(s, { type: 'update', job: view({ progress: { step: 'probing', percent: 12 } }) });
    expect(s.jobs.j1).toMatchObject({ status: 'in_progress', step: 1, percent: 12 });
    const result = { processed_clips: [{ exercise_id: 'e1', exercise_name: 'Squat' }] };
    s = progressReducer(s, { type: 'update', job: view({ status: 'done', result, updated_at: '2026-01-01T00:00:05.000Z' }) });
    expect(s.jobs.j1).toMatchObject({ status: 'done', percent: 100, step: STEPS.length - 1, clips: [{ id: 'e1', name: 'Squat' }] });
    expect(s.jobs.j1!.exercises).toEqual([{ name: 'A', start_time: 0, end_time: 2 }]);
  });

  it('ignores stale answers and never reopens a finished job', () => {
    let s = progressReducer(EMPTY_JOBS, { type: 'update', job: view({ progress: { step: 'analyzing', percent: 40 }, updated_at: '2026-01-01T00:00:03.000Z' }) });
    const stale = progressReducer(s, { type: 'update', job: view({ progress: { step: 'probing', percent: 10 }, updated_at: '2026-01-01T00:00:02.000Z' }) });
    expect(stale).toBe(s);
    s = progressReducer(s, { type: 'update', job: view({ status: 'failed', error: 'Cancelled', updated_at: '2026-01-01T00:00:04.000Z' }) });
    const reopened = progressReducer(s, { type: 'update', job: view({ status: 'in_progress', updated_at: '2026-01-01T00:00:09.000Z' }) });
    expect(reopened.jobs.j1!.status).toBe('failed');
  });

  it('keeps the last known step when an update carries none, and marks lost streams', () => {
    let s = progressReducer(EMPTY_JOBS, { type: 'update', job: view({ progress: { step: 'cutting clips', percent: 70 } }) });
    s = progressReducer(s, { type: 'update', job: view({ progress: { step: null, percent: 71 }, updated_at: '2026-01-01T00:00:02.000Z' }) });
    expect(s.jobs.j1!.step).toBe(5);
    s = progressReducer(s, { type: 'stream-lost', id: 'j1' });
    expect(s.jobs.j1!.polling).toBe(true);
    expect(progressReducer(s, { type: 'dismiss', id: 'j1' })).toEqual(EMPTY_JOBS);
  });

  it.each([
    ['Cancelled', 'cancelled', /^You cancelled this job\.$/],
    ['URL host 10.0.0.1 resolves to a private address', 'private_address', /private network/],
    ['exercises.0: "Squat" starts at 90 s, after the end', 'validation_error', /does not fit: exercises\.0/],
    // The wording alone decides nothing: an unknown code shows the message as it is.
    ['Cancelled by the origin', 'processing_failed', /^Cancelled by the origin$/],
    ['download timed out after 120 s', null, /^download timed out after 120 s$/],
    [null, null, /without saying why/],
  ] as const)('plainError(%s, %s)', (error, code, expected) => {
    expect(plainError(error, code)).toMatch(expected);
  });

  it('parses exercises with times, and names bad lines', () => {
    expect(parseExerciseLines('Goblet squat, 0:03, 0:14\nPlank, 20 - 50\n')).toEqual({
      exercises: [
        { name: 'Goblet squat', start_time: 3, end_time: 14 },
        { name: 'Plank', start_time: 20, end_time: 50 },
      ],
      errors: [],
    });
    expect(parseExerciseLines('Lunge, 9, 3\nnonsense').errors).toHaveLength(2);
  });
});

describe('formatting', () => {
  it.each([
    [null, ''],
    [4.4, '4s'],
    [75, '1:15'],
  ])('formatSeconds(%s)', (value, expected) => expect(formatSeconds(value)).toBe(expected));

  it('describes health in plain words', () => {
    const lines = describeHealth(
      { status: 'degraded', services: { database: 'connected', qdrant: 'disconnected', ai_services: 'unconfigured' }, details: { vector: 'no pgvector' } },
      { pending: 2 },
    );
    expect(lines.map((l) => [l.label, l.ok])).toEqual([
      ['Library database', true],
      ['Search index', false],
      ['Understanding text', true],
      ['AI video analysis', false],
      ['Videos waiting', true],
    ]);
    expect(lines[1]!.text).toContain('no pgvector');
    expect(lines[4]!.text).toContain('2 videos are waiting');
  });

  it('names the video tools, disk space and a vector-store backlog when /health reports them', () => {
    const lines = describeHealth({
      status: 'degraded',
      services: { database: 'connected', qdrant: 'connected', ai_services: 'unconfigured', disk: 'low', jobs: 'connected', ffmpeg: 'unavailable' },
      details: { ffmpeg: 'FFMPEG_PATH: ffmpeg does not run', disk: '120 MB free' },
      vector_outbox: { pending: 3, oldest_pending_seconds: 900 },
    });
    expect(lines.map((l) => [l.label, l.ok])).toEqual([
      ['Library database', true],
      ['Search index', true],
      ['Understanding text', true],
      ['AI video analysis', false],
      ['Video tools', false],
      ['Disk space', false],
      ['Search index updates', false],
    ]);
    expect(lines[4]!.text).toContain('FFMPEG_PATH');
    expect(lines[6]!.text).toContain('3 changes are waiting');
  });
});

describe('linkableUrl: only http(s) source URLs become links', () => {
  it.each([
    ['https://www.youtube.com/watch?v=abc', 'https://www.youtube.com/watch?v=abc'],
    ['http://example.com/a b.mp4', 'http://example.com/a%20b.mp4'],
    ['javascript:alert(document.cookie)', null],
    ['JavaScript:alert(1)', null],
    [' javascript:alert(1)', null],
    ['data:text/html,<script>alert(1)</script>', null],
    ['vbscript:msgbox(1)', null],
    ['file:///etc/passwd', null],
    ['/relative/path', null],
    ['', null],
    [null, null],
  ])('%s', (url, expected) => expect(linkableUrl(url)).toBe(expected));
});
