import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/api/index.js';
import { loadConfig } from '../../src/config.js';
import { importCatalogue } from '../../src/services/catalogue.js';
import { ensureWebBuilt, launchChromium, screenshots, seriousViolations } from '../helpers/browser.js';
import { startMediaServer, type MediaServer } from '../helpers/media-server.js';
import { startTestServer } from '../helpers/server.js';
import { makeTestVideo } from '../helpers/videos.js';

/**
 * The web app in Debian's Chromium against the real server as `npm start` runs it (embedded
 * database in a temp DATA_DIR, in-process worker), the real catalogue imported, and a video
 * that ffmpeg makes here. The scenarios build on each other, in order.
 */
const CATALOGUE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data/free-exercise-db/exercises.json');
const CLIPS = ['Red squat', 'Blue lunge', 'Green plank'];
// expect.poll gives up after 1 s by default; a search on a busy two-core machine can take longer.
const poll = <T>(fn: () => Promise<T>) => expect.poll(fn, { timeout: 30_000, interval: 100 });

describe('the web app in Chromium', () => {
  let dataDir: string;
  let server: RunningServer;
  let media: MediaServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  let clipIds: string[] = [];
  let routineId = '';
  const pageErrors: string[] = [];

  const api = async (p: string, init?: RequestInit) => (await fetch(`${base}${p}`, init)).json() as Promise<any>;
  /** Accessibility and screenshots of the page as it is now. */
  const check = async (name: string) => {
    expect(await seriousViolations(page), `serious accessibility violations on ${name}`).toEqual([]);
    await screenshots(page, name);
  };
  const orderOnPage = () => page.locator('.sortable-row .routine-row a').allTextContents();

  beforeAll(async () => {
    expect(fs.existsSync(CATALOGUE), CATALOGUE).toBe(true);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fb-e2e-'));
    const [, launched] = await Promise.all([ensureWebBuilt(), launchChromium()]);
    browser = launched;
    const videos = path.join(dataDir, 'media');
    await makeTestVideo(path.join(videos, 'workout.mp4'), { duration: 9, scenes: [3, 6], audio: true });
    media = await startMediaServer(videos);
    server = await startServer(loadConfig({ DATA_DIR: dataDir, PORT: '0', ALLOW_PRIVATE_URLS: 'true', LOG_LEVEL: 'silent' }), { worker: true });
    base = server.url;
    const imported = await importCatalogue(server.ctx, CATALOGUE);
    expect(imported.inserted).toBeGreaterThan(800);
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // Anything the app's Content-Security-Policy blocks is a page error too.
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) pageErrors.push(m.text());
    });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop(0);
    await media?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('opens on the library: a grid of the catalogue with placeholders for rows without clips', async () => {
    await page.goto(`${base}/`);
    await poll(() => page.locator('.grid .card').count()).toBeGreaterThanOrEqual(48);
    expect(await page.locator('.thumb.placeholder').count()).toBeGreaterThan(0);
    await page.locator('.sentinel').scrollIntoViewIfNeeded();
    await poll(() => page.locator('.grid .card').count()).toBeGreaterThanOrEqual(96);
    await page.evaluate('window.scrollTo(0, 0)');
    await check('library');
  });

  it('processes a pasted video URL with live progress to done, then links its clips', async () => {
    await page.goto(`${base}/process`);
    await page.getByLabel('Video links (one per line)').fill(media.url('workout.mp4'));
    await page.getByText('Name the exercises yourself (optional)').click();
    await page.locator('#lines').fill(CLIPS.map((name, i) => `${name}, ${i * 3}, ${i * 3 + 3}`).join('\n'));
    const stream = page.waitForResponse((r) => /\/api\/v1\/jobs\/[^/]+\/events$/.test(r.url()));
    await page.getByRole('button', { name: 'Process', exact: true }).click();
    expect((await stream).headers()['content-type']).toContain('text/event-stream');
    const job = page.locator('.job').first();
    await job.locator('.job-state', { hasText: 'Done' }).waitFor({ timeout: 60_000 });
    expect(await job.locator('progress').getAttribute('value')).toBe('100');
    expect(await job.locator('.steps li.past').count()).toBe(7);
    const links = job.locator('.clips a');
    expect(await links.allTextContents()).toEqual(CLIPS);
    clipIds = (await links.evaluateAll((as) => as.map((a) => a.getAttribute('href')!.split('/').pop()!))) as string[];
    await check('process');
    await links.first().click();
    await page.waitForURL(`**/exercises/${clipIds[0]}`);
  });

  it('plays a clip (time advances), seeks with Range requests, loops and changes speed', async () => {
    const ranges: number[] = [];
    page.on('response', (r) => r.url().includes('/storage/clips/') && r.url().endsWith('.mp4') && ranges.push(r.status()));
    await page.goto(`${base}/exercises/${clipIds[0]}`);
    const video = page.locator('video');
    await video.waitFor();
    await page.getByLabel('Speed').selectOption('1.5');
    expect(await video.evaluate((v: any) => [v.loop, v.playbackRate])).toEqual([true, 1.5]);
    await video.evaluate((v: any) => ((v.muted = true), v.play()));
    // Polled with evaluate: waitForFunction's string form is an eval inside the page, which the app's CSP refuses.
    await expect
      .poll(() => page.evaluate('document.querySelector("video").currentTime'), { timeout: 20_000, interval: 100 })
      .toBeGreaterThan(0.3);
    await video.evaluate((v: any) => v.pause());
    await video.evaluate((v: any) => new Promise((resolve) => ((v.onseeked = resolve), (v.currentTime = 2.2))));
    expect(await video.evaluate((v: any) => v.currentTime)).toBeCloseTo(2.2, 1);
    expect(ranges).toContain(206);
    await check('exercise');
  });

  it('searches with filters: fewer results, the URL holds query and filters', async () => {
    await page.goto(`${base}/search`);
    await page.getByLabel('Describe what you are looking for').fill('hamstrings');
    await page.waitForURL(/q=hamstrings/);
    await poll(() => page.locator('.results .card').count()).toBeGreaterThan(0);
    const before = await page.locator('.results .card').count();
    await page.locator('summary', { hasText: 'Category' }).click();
    await page.getByRole('checkbox', { name: 'stretching' }).check();
    await page.waitForURL(/category=stretching/);
    await page.locator('summary', { hasText: 'Equipment' }).click();
    await page.getByRole('checkbox', { name: 'No equipment' }).check();
    await page.waitForURL(/equipment=body\+only/);
    await poll(async () => (await page.locator('.results .card').count()) < before && !(await page.locator('.results[aria-busy="true"]').count())).toBe(true);
    expect(new URL(page.url()).searchParams.get('q')).toBe('hamstrings');
    const ids = await page.locator('.results .card-link').evaluateAll((as) => as.map((a) => a.getAttribute('href')!.split('/').pop()!));
    expect(ids.length).toBeGreaterThan(0);
    const rows = await api('/api/v1/exercises/bulk', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ exercise_ids: ids }) });
    expect(rows.map((r: any) => [r.category, r.equipment])).toEqual(ids.map(() => ['stretching', 'body only']));
    expect(await page.locator('.score').first().textContent()).toMatch(/0\.\d\d|1\.00/);
    // The URL alone restores the search.
    await page.reload();
    expect(await page.getByRole('checkbox', { name: 'stretching' }).isChecked()).toBe(true);
    await poll(() => page.locator('.results .card').count()).toBe(ids.length);
    await check('search');
  });

  it('creates a routine and adds three exercises from the exercise pages', async () => {
    await page.goto(`${base}/routines`);
    await page.getByLabel('Name', { exact: true }).fill('Morning legs');
    await page.getByLabel('Description (optional)').fill('Three short clips');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(/\/routines\/[0-9a-f-]{36}$/);
    routineId = page.url().split('/').pop()!;
    for (const id of clipIds) {
      await page.goto(`${base}/exercises/${id}`);
      await page.getByLabel('Add to routine').selectOption(routineId);
      await page.getByRole('button', { name: 'Add', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'Added to "Morning legs"' }).waitFor();
    }
    expect((await api(`/api/v1/routines/${routineId}`)).exercise_ids).toEqual(clipIds);
    await page.goto(`${base}/routines`);
    await page.getByRole('link', { name: 'Morning legs' }).waitFor();
    await check('routines');
  });

  it('reorders by dragging with the mouse and from the keyboard, and the order holds after a reload', async () => {
    await page.goto(`${base}/routines/${routineId}`);
    await poll(orderOnPage).toEqual(CLIPS.map((n, i) => `${i + 1}. ${n}`));
    const handle = page.getByRole('button', { name: /^Move Red squat/ });
    const from = (await handle.boundingBox())!;
    const last = (await page.locator('.sortable-row').nth(2).boundingBox())!;
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(from.x + from.width / 2, last.y + last.height * 0.8, { steps: 12 });
    await page.mouse.up();
    await poll(orderOnPage).toEqual(['1. Blue lunge', '2. Green plank', '3. Red squat']);
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();

    await page.getByRole('button', { name: /^Move Green plank/ }).focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowUp');
    await poll(orderOnPage).toEqual(['1. Green plank', '2. Blue lunge', '3. Red squat']);
    await page.keyboard.press('Space');
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await poll(async () => (await api(`/api/v1/routines/${routineId}`)).exercise_ids).toEqual([clipIds[2], clipIds[1], clipIds[0]]);

    await page.reload();
    await poll(orderOnPage).toEqual(['1. Green plank', '2. Blue lunge', '3. Red squat']);
    await check('routine');
  });

  it('workout mode shows "exercise 1 of 3", rests, then advances', async () => {
    await page.getByRole('link', { name: 'Start workout' }).click();
    await page.getByText('Exercise 1 of 3').waitFor();
    expect(await page.locator('.workout h2').textContent()).toBe('Green plank');
    await check('workout');
    await page.getByRole('button', { name: 'Next exercise' }).click();
    await page.getByRole('timer').waitFor();
    await page.getByRole('button', { name: 'Skip rest' }).click();
    await page.getByText('Exercise 2 of 3').waitFor();
    expect(await page.locator('.workout h2').textContent()).toBe('Blue lunge');
  });

  it('deleting an exercise (after confirming) removes it from the routine', async () => {
    await page.goto(`${base}/exercises/${clipIds[1]}`);
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await page.waitForURL('**/library');
    await page.goto(`${base}/routines/${routineId}`);
    await poll(orderOnPage).toEqual(['1. Green plank', '2. Red squat']);
    expect((await api(`/api/v1/routines/${routineId}`)).exercise_ids).toEqual([clipIds[2], clipIds[0]]);
  });

  it('shows API errors as messages, never a blank page', async () => {
    await page.goto(`${base}/exercises/0b7f5a3e-2f41-4c36-9a51-6d1b8e2c9f00`);
    await page.getByRole('alert').filter({ hasText: 'Exercise not found' }).waitFor();
    await page.goto(`${base}/process`);
    await page.getByLabel('Video links (one per line)').fill('ftp://example.com/video.mp4');
    await page.getByRole('button', { name: 'Process', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: /url/i }).waitFor();
  });

  it('stories link each paragraph to a search; the status page speaks plainly', async () => {
    await page.goto(`${base}/stories`);
    await page.getByLabel(/Tell us about yourself/).fill('I sit at a desk all day and my lower back gets stiff. I want to run a 10k.');
    await page.getByRole('button', { name: 'Generate' }).click();
    const link = page.getByRole('link', { name: 'Find exercises for this' }).first();
    await link.waitFor();
    await check('stories');
    await link.click();
    await page.waitForURL(/\/search\?q=/);
    await page.goto(`${base}/status`);
    await page.getByText('Everything is working.').waitFor();
    expect(await page.locator('.status-list dt').allTextContents()).toContain('● Library database');
    await check('status');
    expect(pageErrors).toEqual([]);
  });

  it('with API_KEY set, asks for the key once, keeps it for the session and retries', async () => {
    const locked = await startTestServer('pglite', { API_KEY: 'open-sesame-for-tests' });
    const tab = await context.newPage();
    try {
      await tab.goto(`${locked.url}/routines`);
      await tab.getByLabel('Name', { exact: true }).fill('Locked');
      await tab.getByRole('button', { name: 'Create' }).click();
      const dialog = tab.getByRole('dialog', { name: 'This server needs its API key' });
      await dialog.waitFor();
      expect(await seriousViolations(tab)).toEqual([]);
      await dialog.getByLabel('API key').fill('open-sesame-for-tests');
      await dialog.getByRole('button', { name: 'Continue' }).click();
      await tab.waitForURL(/\/routines\/[0-9a-f-]{36}$/);
      expect(await tab.evaluate('sessionStorage.getItem("fitness-builder.api-key")')).toBe('open-sesame-for-tests');
      // A second change in the session needs no prompt.
      await tab.getByRole('button', { name: 'Rename or describe' }).click();
      await tab.getByLabel('Name').fill('Unlocked');
      await tab.getByRole('button', { name: 'Save' }).click();
      await tab.getByRole('heading', { name: 'Unlocked' }).waitFor();
      expect(await dialog.count()).toBe(0);
    } finally {
      await tab.close();
      await locked.close();
    }
  });
});
