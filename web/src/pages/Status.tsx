import { api, call } from '../api/client';
import { ErrorMessage, Page, useLoad } from '../components/common';
import { describeHealth } from '../lib/format';

async function loadStatus(signal: AbortSignal) {
  const [health, pending, collection] = await Promise.all([
    call(() => api.GET('/health', { signal })),
    call(() => api.GET('/api/v1/jobs', { params: { query: { status: 'pending', limit: 500 } }, signal })).catch(() => null),
    call(() => api.GET('/api/v1/collection', { signal })).catch(() => null),
  ]);
  const model = typeof collection?.model === 'string' ? collection.model : undefined;
  return { health, lines: describeHealth(health, { ...(pending ? { pending: pending.length } : {}), ...(model ? { model } : {}) }) };
}

export function StatusPage() {
  const status = useLoad(loadStatus, []);
  return (
    <Page title="Status">
      <ErrorMessage error={status.error} onRetry={status.reload} />
      {status.data && (
        <>
          <p class={`summary ${status.data.health.status}`}>
            {status.data.health.status === 'healthy' ? 'Everything is working.' : 'Something needs attention (details below).'}
            <span class="hint"> Version {status.data.health.version}.</span>
          </p>
          <dl class="status-list">
            {status.data.lines.map((l) => (
              <div key={l.label} class={l.ok ? 'ok' : 'warn'}>
                <dt>
                  <span aria-hidden="true">{l.ok ? '●' : '▲'}</span> {l.label}
                </dt>
                <dd>{l.text}</dd>
              </div>
            ))}
          </dl>
          <button type="button" onClick={status.reload}>Check again</button>
        </>
      )}
    </Page>
  );
}
