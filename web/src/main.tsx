import { Component, render, type ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { answerKey, onKeyRequest } from './api/client';
import { ErrorMessage, Page } from './components/common';
import { ExercisePage } from './pages/Exercise';
import { LibraryPage } from './pages/Library';
import { ProcessPage } from './pages/Process';
import { RoutinePage, RoutinesPage } from './pages/Routines';
import { SearchPage } from './pages/Search';
import { StatusPage } from './pages/Status';
import { StoriesPage } from './pages/Stories';
import { WorkoutPage } from './pages/Workout';
import { Link, match, useLocation } from './router';
import './styles.css';

const NAV = [
  ['/library', 'Library'],
  ['/search', 'Search'],
  ['/process', 'Process'],
  ['/routines', 'Routines'],
  ['/stories', 'Stories'],
  ['/status', 'Status'],
] as const;

function route(path: string) {
  if (path === '/' || path === '/library') return <LibraryPage />;
  if (path === '/search') return <SearchPage />;
  if (path === '/process') return <ProcessPage />;
  if (path === '/routines') return <RoutinesPage />;
  if (path === '/stories') return <StoriesPage />;
  if (path === '/status') return <StatusPage />;
  let p = match('/exercises/:id', path);
  if (p) return <ExercisePage key={p.id} id={p.id!} />;
  p = match('/routines/:id/workout', path);
  if (p) return <WorkoutPage key={p.id} id={p.id!} />;
  p = match('/routines/:id', path);
  if (p) return <RoutinePage key={p.id} id={p.id!} />;
  return (
    <Page title="Not found">
      <p>There is no page here. <Link href="/library">Go to the library</Link>.</p>
    </Page>
  );
}

/** A render error shows a message and a way back instead of a blank page. */
class Boundary extends Component<{ children: ComponentChildren; path: string }, { error: unknown }> {
  override state = { error: null as unknown };
  override componentDidCatch(error: unknown) {
    this.setState({ error });
  }
  override componentDidUpdate(previous: { path: string }) {
    if (previous.path !== this.props.path && this.state.error) this.setState({ error: null });
  }
  override render() {
    return this.state.error ? <ErrorMessage error={this.state.error} onRetry={() => this.setState({ error: null })} /> : this.props.children;
  }
}

function KeyPrompt() {
  const [asking, setAsking] = useState(false);
  const [key, setKey] = useState('');
  useEffect(() => onKeyRequest(setAsking), []);
  if (!asking) return null;
  return (
    <div class="modal" role="dialog" aria-modal="true" aria-labelledby="key-title">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          answerKey(key.trim() || null);
          setKey('');
        }}
      >
        <h2 id="key-title">This server needs its API key</h2>
        <p>Changes need the key the server was started with (API_KEY). It is kept in this tab until you close it.</p>
        <label class="stack">
          API key
          <input type="password" autoFocus autoComplete="current-password" value={key} onInput={(e) => setKey((e.target as HTMLInputElement).value)} />
        </label>
        <div class="row">
          <button type="submit" class="primary">Continue</button>
          <button type="button" onClick={() => answerKey(null)}>Cancel</button>
        </div>
      </form>
    </div>
  );
}

function App() {
  const { path } = useLocation();
  const section = '/' + (path.split('/')[1] || 'library');
  const current = section === '/exercises' ? '/library' : section;
  return (
    <>
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <Link href="/library" class="brand">Fitness Builder</Link>
        <nav aria-label="Main">
          <ul>
            {NAV.map(([href, label]) => (
              <li key={href}>
                <Link href={href} aria-current={current === href ? 'page' : undefined}>{label}</Link>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        <Boundary path={path}>{route(path)}</Boundary>
      </main>
      <KeyPrompt />
    </>
  );
}

render(<App />, document.getElementById('app')!);
