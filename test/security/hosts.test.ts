import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostAllowed, hostName } from '../../src/api/hosts.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * DNS rebinding against a keyless instance: a page whose name now resolves to 127.0.0.1 sends
 * its own name as Host. Without API_KEY only loopback names, IP literals and ALLOWED_HOSTS are
 * served; the rest get 421 in the error envelope.
 */
describe('hostName', () => {
  it.each([
    ['localhost:8000', 'localhost'],
    ['Fitness.LAN', 'fitness.lan'],
    ['fitness.lan.', 'fitness.lan'],
    ['[::1]:8000', '::1'],
    ['127.0.0.1:80', '127.0.0.1'],
    ['evil.example:80:80', ''],
    ['user@evil.example', ''],
    ['', ''],
  ])('%s', (header, name) => expect(hostName(header)).toBe(name));
});

describe('hostAllowed', () => {
  it.each([
    ['localhost:8000', [], true],
    ['app.localhost', [], true],
    ['127.0.0.1:8000', [], true],
    ['[::1]:8000', [], true],
    ['192.168.1.5:8000', [], true],
    ['attacker.example', [], false],
    ['localhost.attacker.example', [], false],
    ['fitness.lan:8000', ['fitness.lan'], true],
    ['other.lan', ['fitness.lan'], false],
    ['anything.example', ['*'], true],
    ['', [], false],
  ] as const)('%s with %j: %s', (header, allowed, expected) => expect(hostAllowed(header, allowed)).toBe(expected));
});

describe('the Host header over HTTP', () => {
  let open: TestServer;
  let listed: TestServer;
  let keyed: TestServer;
  beforeAll(async () => {
    open = await startTestServer('pglite');
    listed = await startTestServer('pglite', { ALLOWED_HOSTS: 'Fitness.lan, gym.example' });
    keyed = await startTestServer('pglite', { API_KEY: 'a-long-enough-key' });
  }, 120_000);
  afterAll(async () => {
    await Promise.all([open?.close(), listed?.close(), keyed?.close()]);
  });

  const get = (s: TestServer, host: string, url = '/api/v1/exercises') => s.app.inject({ method: 'GET', url, headers: { host } });

  it('without API_KEY refuses a foreign name with 421 in the envelope, on every path', async () => {
    for (const url of ['/api/v1/exercises', '/health', '/storage/clips/x.mp4', '/library']) {
      const res = await get(open, 'attacker.example:8000', url);
      expect(res.statusCode, url).toBe(421);
      const body = res.json();
      expect(Object.keys(body).sort()).toEqual(['detail', 'request_id']);
      expect(body.detail).toMatch(/ALLOWED_HOSTS/);
      expect(res.headers['x-request-id']).toBe(body.request_id);
    }
  });

  it('serves loopback names, IP literals and the listed names', async () => {
    expect((await get(open, 'localhost:8000')).statusCode).toBe(200);
    expect((await get(open, '127.0.0.1:8000')).statusCode).toBe(200);
    expect((await get(listed, 'fitness.lan:8000')).statusCode).toBe(200);
    expect((await get(listed, 'gym.example')).statusCode).toBe(200);
    expect((await get(listed, 'attacker.example')).statusCode).toBe(421);
    // The real server through a real socket: Host is 127.0.0.1:<port>.
    expect((await open.request('/api/v1/exercises')).status).toBe(200);
  });

  it('with API_KEY the key guards the instance, and any name is served', async () => {
    expect((await get(keyed, 'attacker.example')).statusCode).toBe(200);
  });
});
