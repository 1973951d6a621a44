import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnavailableError } from '../../src/errors.js';
import { generateStories } from '../../src/services/stories.js';
import { createTestContext, type TestContext } from '../helpers/context.js';
import { chatCompletion, startFakeOpenAI, type FakeHandler, type FakeOpenAI, type FakeRequest } from '../helpers/openai-server.js';

// The AI branch of stories against a real HTTP server speaking the OpenAI protocol. Stories touch
// no table, so one backend is enough here.
describe('stories from a chat model', () => {
  let fake: FakeOpenAI;
  let t: TestContext;
  let answer: FakeHandler = () => ({ json: chatCompletion('{}') });
  beforeAll(async () => {
    fake = await startFakeOpenAI({ '/v1/chat/completions': (req, i) => answer(req, i) });
    t = await createTestContext('pglite', { STORY_MODEL: 'story-model', OPENAI_BASE_URL: fake.baseUrl, AI_TIMEOUT_MS: '5000' });
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  const requests = () => fake.requests.splice(0);
  const content = (req: FakeRequest) => JSON.stringify((req.body as { messages: unknown[] }).messages);
  const PROMPT = 'I sit all day and my hips are tight';

  it('asks the story model in JSON mode and returns its paragraphs, at most as many as asked', async () => {
    requests();
    const stories = ['Hip mobility for people who sit all day, gentle.', 'Glute strength to balance long sitting.', 'A third one, not asked for.'];
    answer = () => ({ json: chatCompletion(JSON.stringify({ stories })) });
    expect(await generateStories(t.ctx, PROMPT, 2)).toEqual({ stories: stories.slice(0, 2), source: 'ai' });
    const [request, ...more] = requests();
    expect(more).toHaveLength(0);
    expect(request!.body).toMatchObject({ model: 'story-model', response_format: { type: 'json_object' } });
    expect(content(request!)).toContain(PROMPT);
  });

  it('asks once more, naming the problem, when the first answer is unusable', async () => {
    requests();
    let calls = 0;
    answer = () => ({ json: chatCompletion(calls++ === 0 ? '{"stories": []}' : '{"stories": ["Hip flexor stretches for desk workers."]}') });
    expect(await generateStories(t.ctx, PROMPT, 3)).toEqual({ stories: ['Hip flexor stretches for desk workers.'], source: 'ai' });
    const sent = requests();
    expect(sent).toHaveLength(2);
    expect(content(sent[1]!)).toContain('Your previous answer was invalid');
  });

  it('answers 503 (UnavailableError) after two unusable answers', async () => {
    requests();
    answer = () => ({ json: chatCompletion('not json at all') });
    const error = await generateStories(t.ctx, PROMPT, 3).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toMatch(/invalid output \(the answer is not JSON\)/);
    expect(requests()).toHaveLength(2);
  });

  it('asks again without JSON mode when the server refuses it', async () => {
    requests();
    answer = (req) =>
      (req.body as { response_format?: unknown }).response_format
        ? { status: 400, json: { error: { message: 'response_format is not supported' } } }
        : { json: chatCompletion('```json\n{"stories": ["Couch stretch and glute bridges for tight hips."]}\n```') };
    expect(await generateStories(t.ctx, PROMPT, 1)).toEqual({ stories: ['Couch stretch and glute bridges for tight hips.'], source: 'ai' });
    expect(requests()).toHaveLength(2);
  });

  it('turns a refusing provider into UnavailableError with a hint', async () => {
    requests();
    answer = () => ({ status: 401, json: { error: { message: 'bad key' } } });
    const error = await generateStories(t.ctx, PROMPT, 1).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UnavailableError);
    expect((error as Error).message).toMatch(/HTTP 401: bad key \(check OPENAI_API_KEY\)/);
  });
});
