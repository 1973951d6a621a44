import { useState } from 'preact/hooks';
import { api, call } from '../api/client';
import { ErrorMessage, Page } from '../components/common';
import { searchToParams, EMPTY_SEARCH } from '../lib/filters';
import { Link } from '../router';

/** Describe yourself, get short paragraphs of what you need; each one is a search away. */
export function StoriesPage() {
  const [prompt, setPrompt] = useState('');
  const [count, setCount] = useState(3);
  const [answer, setAnswer] = useState<{ stories: string[]; source: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const generate = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setAnswer(await call(() => api.POST('/api/v1/stories/generate', { body: { user_prompt: prompt, story_count: count } })));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Page title="Stories">
      <form class="stories" onSubmit={(e) => void generate(e)}>
        <label class="stack" for="prompt">
          Tell us about yourself: how you move during the day, what hurts, what you want to be able to do
        </label>
        <textarea id="prompt" rows={4} required maxLength={4000} value={prompt} onInput={(e) => setPrompt((e.target as HTMLTextAreaElement).value)} />
        <label>
          Paragraphs{' '}
          <select value={count} onChange={(e) => setCount(Number((e.target as HTMLSelectElement).value))}>
            {[1, 2, 3, 4, 5].map((n) => (
              <option key={n} value={n}>{n}</option>
            ))}
          </select>
        </label>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Writing…' : 'Generate'}
        </button>
      </form>
      <ErrorMessage error={error} />
      {answer && (
        <>
          <p class="hint">{answer.source === 'ai' ? 'Written by the AI model.' : 'Taken from your own words (no AI model configured).'}</p>
          <ol class="story-list">
            {answer.stories.map((s, i) => (
              <li key={i}>
                <p class="prose">{s}</p>
                <Link class="button" href={`/search?${searchToParams({ ...EMPTY_SEARCH, q: s }).toString()}`}>
                  Find exercises for this
                </Link>
              </li>
            ))}
          </ol>
        </>
      )}
    </Page>
  );
}
