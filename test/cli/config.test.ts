import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { API_KEY_MIN_LENGTH } from '../../src/limits.js';

/** Settings are judged by their form at start-up: the bad refused naming the variable, the good kept. */
describe('loadConfig', () => {
  const base = { DATA_DIR: '/tmp/fb-config-test' };

  it.each([
    ['PORT', { PORT: '' }],
    ['PORT', { PORT: ' ' }],
    ['PORT', { PORT: '65536' }],
    ['API_PORT', { API_PORT: '-1' }],
    ['API_KEY', { API_KEY: 'k' }],
    ['API_KEY', { API_KEY: 'x'.repeat(API_KEY_MIN_LENGTH - 1) }],
    ['OPENAI_BASE_URL', { OPENAI_BASE_URL: 'not a url' }],
    ['OPENAI_BASE_URL', { OPENAI_BASE_URL: 'file:///etc/passwd' }],
    ['EMBEDDING_BASE_URL', { EMBEDDING_BASE_URL: 'localhost:11434' }],
    ['HOST', { HOST: '999.1.1.1' }],
    ['HOST', { HOST: '1.2.3' }],
    ['HOST', { HOST: 'fe80::zz' }],
    ['HOST', { HOST: '-bad.example' }],
    ['API_HOST', { API_HOST: 'under_score.example' }],
    ['TRUST_PROXY', { TRUST_PROXY: 'not-an-ip' }],
    ['TRUST_PROXY', { TRUST_PROXY: '10.0.0.0/40' }],
    ['TRUST_PROXY', { TRUST_PROXY: '10.0.0.5,proxy.example' }],
    ['QDRANT_URL', { QDRANT_URL: 'ftp://x' }],
    ['QDRANT_URL', { VECTOR_STORE: 'qdrant', QDRANT_URL: 'qdrant:6333' }],
  ])('refuses %s=%j', (variable, env) => {
    expect(() => loadConfig({ ...base, ...env })).toThrow(expect.objectContaining({ field: variable, status: 422 }));
  });

  it.each([
    [{ HOST: '0.0.0.0', PORT: '0' }, { host: '0.0.0.0', port: 0 }],
    [{ HOST: '::', PORT: '8080' }, { host: '::', port: 8080 }],
    [{ HOST: 'localhost' }, { host: 'localhost', port: 8000 }],
    [{ API_HOST: 'api.internal.example', API_PORT: '9000' }, { host: 'api.internal.example', port: 9000 }],
    [{ API_KEY: 'k'.repeat(API_KEY_MIN_LENGTH) }, { apiKey: 'k'.repeat(API_KEY_MIN_LENGTH) }],
    // Compose passes unset variables as empty: no key, not a one-character one.
    [{ API_KEY: '' }, { apiKey: undefined }],
    [{ TRUST_PROXY: '1' }, { trustProxy: 1 }],
    [{ TRUST_PROXY: 'true' }, { trustProxy: true }],
    [{ TRUST_PROXY: '10.0.0.5, 192.168.0.0/16,::1,fd00::/8,loopback' }, { trustProxy: '10.0.0.5, 192.168.0.0/16,::1,fd00::/8,loopback' }],
    [{ OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' }, { ai: expect.objectContaining({ baseUrl: 'http://127.0.0.1:11434/v1' }) }],
    [{ VECTOR_STORE: 'qdrant', QDRANT_URL: 'https://qdrant.example:6333' }, { vectors: expect.objectContaining({ qdrantUrl: 'https://qdrant.example:6333' }) }],
  ])('accepts %j', (env, expected) => {
    expect(loadConfig({ ...base, ...env })).toMatchObject(expected);
  });
});
