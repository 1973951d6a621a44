import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addExercises, createRoutine } from '../../src/services/library.js';
import { BACKENDS } from '../helpers/db.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * Hostile input over real HTTP: text PostgreSQL cannot store, oversized bodies from common
 * clients, requests Fastify or Node refuse before a route runs, and floods of searches. Every
 * answer is a 4xx in the `{"detail", "request_id"}` envelope, never a 500 or a broken pipe.
 */
function run(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { maxBuffer: 1 << 20, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A raw HTTP/1.1 exchange: what Node's parser and Fastify's router see before any route. */
function raw(url: string, request: string): Promise<{ status: number; headers: string; body: any }> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.end(request));
    let data = '';
    socket.on('data', (d: Buffer) => (data += d.toString()));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', body = ''] = data.split('\r\n\r\n');
      try {
        resolve({ status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body: JSON.parse(body) });
      } catch (error) {
        reject(new Error(`not a JSON answer: ${data.slice(0, 300)}`, { cause: error }));
      }
    });
  });
}

function expectEnvelope(res: { status: number; body: any; headers?: Headers }, status: number, field?: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(Object.keys(res.body).sort()).toEqual(['detail', 'request_id']);
  expect(typeof res.body.detail).toBe('string');
  expect(res.body.request_id).toMatch(/^[\w.-]{1,100}$/);
  if (res.headers) expect(res.headers.get('x-request-id')).toBe(res.body.request_id);
  if (field) expect(res.body.detail.startsWith(`${field}: `), res.body.detail).toBe(true);
}

describe.each(BACKENDS)('hostile input on %s', (backend) => {
  let s: TestServer;
  let exerciseId: string;
  let routineId: string;

  beforeAll(async () => {
    s = await startTestServer(backend, { SEARCH_RATE_LIMIT_PER_MINUTE: '1000', SEARCH_MAX_QUERY_CHARS: '300' });
    const [e] = await addExercises(s.ctx, [{ url: 'https://example.com/a.mp4', exercise_name: 'Goblet squat', category: 'strength' }]);
    exerciseId = e!.id;
    routineId = (await createRoutine(s.ctx, { name: 'Legs', description: null, exercise_ids: [exerciseId] })).routine_id;
  }, 120_000);
  afterAll(async () => {
    await s?.close();
  });

  const NUL = 'a\u0000b';
  const LONE = 'a\ud800b';
  // [method, path, body or null, the field the 422 must name]
  const cases = (): [string, string, unknown, string][] => [
    ['POST', '/api/v1/routines', { name: NUL, exercise_ids: [] }, 'name'],
    ['POST', '/api/v1/routines', { name: 'ok', description: NUL, exercise_ids: [] }, 'description'],
    ['PATCH', `/api/v1/routines/${routineId}`, { name: NUL }, 'name'],
    ['PATCH', `/api/v1/routines/${routineId}`, { description: LONE }, 'description'],
    ['PUT', `/api/v1/routines/${routineId}`, { exercise_ids: [NUL] }, 'exercise_ids.0'],
    ['PATCH', `/api/v1/exercises/${exerciseId}`, { exercise_name: NUL }, 'exercise_name'],
    ['PATCH', `/api/v1/exercises/${exerciseId}`, { how_to: NUL }, 'how_to'],
    ['PATCH', `/api/v1/exercises/${exerciseId}`, { primary_muscles: ['quads', NUL] }, 'primary_muscles.1'],
    ['PATCH', `/api/v1/exercises/${exerciseId}`, { category: LONE }, 'category'],
    ['POST', '/api/v1/exercises/search', { query: NUL }, 'query'],
    ['POST', '/api/v1/exercises/search', { query: 'squat', filters: { name: NUL } }, 'filters.name'],
    ['POST', '/api/v1/exercises/search', { query: 'squat', filters: { category: [NUL] } }, 'filters.category.0'],
    ['POST', '/api/v1/exercises/search', { query: 'squat', filters: { url: NUL } }, 'filters.url'],
    ['POST', '/api/v1/exercises/semantic-search-ids', { query: NUL }, 'query'],
    ['POST', '/api/v1/exercises/bulk', { exercise_ids: [NUL] }, 'exercise_ids.0'],
    ['GET', '/api/v1/exercises?name=a%00b', null, 'name'],
    ['GET', '/api/v1/exercises?url=https://example.com/a%00.mp4', null, 'url'],
    ['GET', '/api/v1/exercises?category=a%00', null, 'category'],
    ['GET', '/api/v1/exercises?muscles=quads,%00', null, 'muscles'],
    ['POST', '/api/v1/process', { url: 'https://example.com/a\u0000.mp4', background: true }, 'url'],
    ['POST', '/api/v1/process', { url: 'https://example.com/b.mp4', exercises: [{ name: NUL, start_time: 0, end_time: 2 }] }, 'exercises.0.name'],
    ['POST', '/api/v1/stories/generate', { user_prompt: NUL }, 'user_prompt'],
  ];

  it('refuses NUL bytes and unpaired surrogates in every text field with a 422 naming it', async () => {
    const list = cases();
    expect(list.length).toBeGreaterThanOrEqual(14);
    for (const [method, url, body, field] of list) {
      const res = await s.request(url, { method, ...(body === null ? {} : { json: body }) });
      expect(`${method} ${url} ${res.status}`).toBe(`${method} ${url} 422`);
      expectEnvelope(res, 422, field);
    }
    // Nothing was written by the refused requests.
    const routine = await s.request(`/api/v1/routines/${routineId}`);
    expect(routine.body.name).toBe('Legs');
    const exercise = await s.request(`/api/v1/exercises/${exerciseId}`);
    expect(exercise.body.exercise_name).toBe('Goblet squat');
  });

  it('still accepts ordinary text, including characters outside the BMP', async () => {
    const res = await s.request(`/api/v1/routines/${routineId}`, { method: 'PATCH', json: { description: 'Beine 💪 ñ' } });
    expect(res.status).toBe(200);
    expect(res.body.description).toBe('Beine 💪 ñ');
  });

  describe('a 5 MB body reaches common clients as the 413 answer, not a broken pipe', () => {
    let bigFile: string;
    const big = `{"name":"${'a'.repeat(5 * 1024 * 1024)}","exercise_ids":[]}`;
    beforeAll(() => {
      bigFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fb-big-')), 'body.json');
      fs.writeFileSync(bigFile, big);
    });
    afterAll(() => fs.rmSync(path.dirname(bigFile), { recursive: true, force: true }));

    it("Node's fetch", async () => {
      const res = await fetch(`${s.url}/api/v1/routines`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
      expectEnvelope({ status: res.status, body: await res.json(), headers: res.headers }, 413);
    });

    it("Python's urllib", async () => {
      const script = [
        'import sys, urllib.request, urllib.error',
        'data = open(sys.argv[2], "rb").read()',
        'req = urllib.request.Request(sys.argv[1], data=data, method="POST", headers={"content-type": "application/json"})',
        'try:',
        '    r = urllib.request.urlopen(req); print(r.status); print(r.read().decode())',
        'except urllib.error.HTTPError as e:',
        '    print(e.code); print(e.read().decode())',
      ].join('\n');
      const out = await run('python3', ['-c', script, `${s.url}/api/v1/routines`, bigFile]);
      expect(out.stderr).toBe('');
      const [status, body] = out.stdout.split('\n');
      expectEnvelope({ status: Number(status), body: JSON.parse(body!) }, 413);
    });

    it.each([
      ['with Expect: 100-continue', []],
      ['without Expect', ['-H', 'Expect:']],
    ])('curl %s', async (_label, extra) => {
      const out = await run('curl', [
        '-sS', '-o', '-', '-w', '\n%{http_code}', '-H', 'content-type: application/json', ...extra,
        '--data-binary', `@${bigFile}`, `${s.url}/api/v1/routines`,
      ]);
      expect(out.stderr).toBe('');
      const lines = out.stdout.trim().split('\n');
      expectEnvelope({ status: Number(lines.at(-1)), body: JSON.parse(lines[0]!) }, 413);
    });

    it('the server keeps answering afterwards', async () => {
      expect((await s.request('/api/v1/stats')).status).toBe(200);
    });
  });

  describe('what Fastify and Node answer themselves comes in the envelope', () => {
    it('an id over the router limit (414)', async () => {
      expectEnvelope(await s.request(`/api/v1/exercises/${'a'.repeat(150)}`), 414);
    });
    it('bad percent-encoding in a path (400)', async () => {
      expectEnvelope(await s.request('/api/v1/exercises/%ZZ'), 400);
    });
    it('a route that does not exist, and a method a route does not take (404)', async () => {
      expectEnvelope(await s.request('/api/v1/nothing-here'), 404);
      expectEnvelope(await s.request('/api/v1/stats', { method: 'DELETE' }), 404);
    });
    it('a body that is not JSON (400) or not declared as JSON (415)', async () => {
      expectEnvelope(await s.request('/api/v1/routines', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":' }), 400);
      expectEnvelope(await s.request('/api/v1/routines', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' }), 415);
    });
    it('a request id the client sent is echoed; a hostile one is replaced', async () => {
      const mine = await s.request('/api/v1/nothing', { headers: { 'x-request-id': 'client-abc.1' } });
      expect(mine.body.request_id).toBe('client-abc.1');
      const hostile = await s.request('/api/v1/nothing', { headers: { 'x-request-id': 'x'.repeat(300) } });
      expectEnvelope(hostile, 404);
      expect(hostile.body.request_id).not.toContain('xxx');
    });
    it('a bad Content-Length, refused by the HTTP parser (400)', async () => {
      const res = await raw(s.url, 'POST /api/v1/routines HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}');
      expect(res.status).toBe(400);
      expect(Object.keys(res.body).sort()).toEqual(['detail', 'request_id']);
      expect(res.headers).toContain(`x-request-id: ${res.body.request_id}`);
    });
    it('a body shorter than its Content-Length (400)', async () => {
      const res = await raw(s.url, 'POST /api/v1/routines HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 40\r\nConnection: close\r\n\r\n{"name":"x"}');
      // The parser waits for the rest; the client half-closed: Fastify reports the mismatch.
      expect([400, 408]).toContain(res.status);
      expect(Object.keys(res.body).sort()).toEqual(['detail', 'request_id']);
    });
  });

  it('refuses fields and parameters no route reads (a misspelling), naming them, rather than ignoring them', async () => {
    const unknown: [string, string, unknown, string][] = [
      ['POST', '/api/v1/stories/generate', { user_prompt: 'sore knees', story_cuont: 3 }, 'story_cuont'],
      ['POST', '/api/v1/reindex', { force: true }, 'force'],
      ['GET', '/api/v1/exercises?categroy=strength', null, 'categroy'],
      ['GET', '/api/v1/exercises?limit=5&colour=red', null, 'colour'],
      ['GET', '/api/v1/routines?page=2', null, 'page'],
      ['GET', '/api/v1/jobs?state=failed', null, 'state'],
    ];
    for (const [method, url, body, field] of unknown) {
      const res = await s.request(url, { method, ...(body === null ? {} : { json: body }) });
      expect(`${method} ${url} ${res.status}`).toBe(`${method} ${url} 422`);
      expectEnvelope(res, 422, field);
    }
    // What they do take still works, with a body or without one.
    expect((await s.request('/api/v1/exercises?category=strength&limit=5')).status).toBe(200);
    expect((await s.request('/api/v1/reindex', { method: 'POST' })).status).toBe(200);
    expect((await s.request('/api/v1/reindex', { method: 'POST', json: {} })).status).toBe(200);
  });

  it('bounds the length of a search query', async () => {
    const res = await s.request('/api/v1/exercises/search', { method: 'POST', json: { query: 'squat '.repeat(60) } });
    expectEnvelope(res, 422, 'query');
    const ids = await s.request('/api/v1/exercises/semantic-search-ids', { method: 'POST', json: { query: 'squat '.repeat(60) } });
    expectEnvelope(ids, 422, 'query');
  });
});

describe('search is rate-limited per client, one budget for every search route', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer('pglite', { SEARCH_RATE_LIMIT_PER_MINUTE: '3' });
  }, 120_000);
  afterAll(async () => {
    await s?.close();
  });

  it('answers 429 in the envelope once the budget is spent', async () => {
    const statuses: number[] = [];
    let last: Awaited<ReturnType<TestServer['request']>> | undefined;
    for (let i = 0; i < 5; i++) {
      last = await s.request('/api/v1/exercises/search', { method: 'POST', json: { query: 'squat', diverse: true, limit: 100 } });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses.slice(3)).toEqual([429, 429]);
    expectEnvelope(last!, 429);
    expect(last!.headers.get('retry-after')).toBeTruthy();
    // The other search route draws from the same budget, not a second one.
    const ids = await s.request('/api/v1/exercises/semantic-search-ids', { method: 'POST', json: { query: 'squat' } });
    expectEnvelope(ids, 429);
  });
});
