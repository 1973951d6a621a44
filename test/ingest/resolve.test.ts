import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../../src/errors.js';
import { assertFetchable, isPrivateAddress } from '../../src/ingest/resolve.js';

describe('isPrivateAddress', () => {
  const cases: [string, boolean][] = [
    ['127.0.0.1', true],
    ['127.255.255.254', true],
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['172.31.255.255', true],
    ['172.32.0.1', false],
    ['192.168.1.10', true],
    ['169.254.169.254', true],
    ['169.254.0.1', true],
    ['100.64.0.1', true],
    ['100.127.255.255', true],
    ['100.128.0.1', false],
    ['0.0.0.0', true],
    ['224.0.0.251', true],
    ['255.255.255.255', true],
    ['198.18.0.1', true],
    ['8.8.8.8', false],
    ['93.184.216.34', false],
    ['1.1.1.1', false],
    ['::', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:7f00:1', true],
    ['::ffff:10.0.0.1', true],
    ['::ffff:8.8.8.8', false],
    ['64:ff9b::a9fe:a9fe', true], // NAT64 of 169.254.169.254
    ['64:ff9b::808:808', false], // NAT64 of 8.8.8.8
    ['fc00::1', true],
    ['fd12:3456:789a::1', true],
    ['fe80::1', true],
    ['fe80::1%eth0', true],
    ['ff02::1', true],
    ['[::1]', true],
    ['2001:db8::1', true],
    ['2606:4700:4700::1111', false],
    ['2a03:2880:f12f:83:face:b00c:0:25de', false],
    ['not-an-ip', true],
    ['', true],
  ];
  it.each(cases)('%s -> %s', (ip, expected) => {
    expect(isPrivateAddress(ip)).toBe(expected);
  });
});

describe('assertFetchable', () => {
  const lookupTo =
    (...addresses: string[]) =>
    async () =>
      addresses;

  it('accepts a public host', async () => {
    await expect(
      assertFetchable('https://cdn.example.com/v.mp4', { allowPrivate: false, lookup: lookupTo('93.184.216.34') }),
    ).resolves.toBeUndefined();
  });

  it('refuses when any resolved address is private', async () => {
    await expect(
      assertFetchable('https://cdn.example.com/v.mp4', {
        allowPrivate: false,
        lookup: lookupTo('93.184.216.34', '10.0.0.5'),
      }),
    ).rejects.toBeInstanceOf(BadRequestError);
  });

  it('checks IP literals without DNS, including odd IPv4 spellings', async () => {
    const lookup = async () => {
      throw new Error('must not be called');
    };
    for (const url of [
      'http://127.0.0.1:8080/x',
      'http://[::1]/x',
      'http://[::ffff:127.0.0.1]/x',
      'http://2130706433/x',
      'http://0x7f.1/x',
      'http://169.254.169.254/latest/meta-data',
      'http://0.0.0.0/',
    ]) {
      await expect(assertFetchable(url, { allowPrivate: false, lookup }), url).rejects.toBeInstanceOf(BadRequestError);
    }
    await expect(assertFetchable('http://8.8.8.8/x', { allowPrivate: false, lookup })).resolves.toBeUndefined();
  });

  it('refuses non-http schemes even when private addresses are allowed', async () => {
    for (const url of ['file:///etc/passwd', 'ftp://example.com/a.mp4', 'gopher://x/']) {
      await expect(assertFetchable(url, { allowPrivate: true }), url).rejects.toBeInstanceOf(BadRequestError);
    }
  });

  it('allows private addresses when configured', async () => {
    await expect(assertFetchable('http://127.0.0.1:1/x', { allowPrivate: true })).resolves.toBeUndefined();
  });

  it('refuses hosts that do not resolve', async () => {
    const lookup = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    await expect(assertFetchable('http://nowhere.invalid/', { allowPrivate: false, lookup })).rejects.toBeInstanceOf(
      BadRequestError,
    );
    await expect(assertFetchable('http://empty.example/', { allowPrivate: false, lookup: lookupTo() })).rejects.toBeInstanceOf(
      BadRequestError,
    );
  });

  it('resolves localhost through real DNS and refuses it', async () => {
    await expect(assertFetchable('http://localhost:9/', { allowPrivate: false })).rejects.toBeInstanceOf(BadRequestError);
  });
});
