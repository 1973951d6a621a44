import { promises as dns } from 'node:dns';
import net from 'node:net';
import { BadRequestError, ProcessingError } from '../errors.js';

/**
 * Guards every URL we fetch ourselves against server-side request forgery: a user-supplied
 * link must not make the service talk to itself, the local network or cloud metadata endpoints.
 */

const BLOCKED_V4: [string, number][] = [
  ['0.0.0.0', 8], // "this network", includes the unspecified address
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // deprecated 6to4 relay anycast
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, includes broadcast
];

const BLOCKED_V6: [string, number][] = [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['100::', 64], // discard-only
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // deprecated site-local, still routed locally by some stacks
  ['ff00::', 8], // multicast
];

const blockList = new net.BlockList();
for (const [prefix, bits] of BLOCKED_V4) blockList.addSubnet(prefix, bits, 'ipv4');
for (const [prefix, bits] of BLOCKED_V6) blockList.addSubnet(prefix, bits, 'ipv6');

/**
 * Address forms that carry an IPv4 address in their low 32 bits and reach it: IPv4-mapped
 * (::ffff:0:0/96), IPv4-compatible (::/96, deprecated) and NAT64 (64:ff9b::/96). Checked
 * explicitly because BlockList only unwraps the mapped form.
 */
function embeddedIPv4(ip: string): string | null {
  const groups = expandIPv6(ip);
  if (!groups) return null;
  const high = groups.slice(0, 6);
  const isMapped = high.slice(0, 5).every((g) => g === 0) && high[5] === 0xffff;
  const isCompatible = high.every((g) => g === 0) && (groups[6] !== 0 || groups[7]! > 1);
  const isNat64 = high[0] === 0x64 && high[1] === 0xff9b && high.slice(2).every((g) => g === 0);
  if (!isMapped && !isCompatible && !isNat64) return null;
  const a = groups[6]!;
  const b = groups[7]!;
  return `${a >> 8}.${a & 0xff}.${b >> 8}.${b & 0xff}`;
}

/** Eight 16-bit groups, or null when `ip` is not IPv6. Accepts a dotted IPv4 tail. */
function expandIPv6(ip: string): number[] | null {
  if (net.isIPv6(ip) === false) return null;
  let text = ip;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const parts = dotted[1]!.split('.').map(Number);
    text = text.slice(0, dotted.index) + `${((parts[0]! << 8) | parts[1]!).toString(16)}:${((parts[2]! << 8) | parts[3]!).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const all = tail === undefined ? headGroups : [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups];
  if (all.length !== 8) return null;
  return all.map((g) => parseInt(g, 16));
}

/**
 * True when `ip` must not be fetched: private, loopback, link-local, unique-local, CGNAT,
 * multicast, unspecified, reserved or documentation ranges, also inside IPv6 wrappers.
 * Anything that is not an IP address counts as private so that a parsing surprise fails closed.
 */
export function isPrivateAddress(ip: string): boolean {
  const bare = ip.trim().replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = net.isIP(bare);
  if (family === 4) return blockList.check(bare, 'ipv4');
  if (family !== 6) return true;
  if (blockList.check(bare, 'ipv6')) return true;
  const v4 = embeddedIPv4(bare.toLowerCase());
  return v4 !== null && blockList.check(v4, 'ipv4');
}

export type HostLookup = (host: string) => Promise<string[]>;

async function defaultLookup(host: string): Promise<string[]> {
  const answers = await dns.lookup(host, { all: true, verbatim: true });
  return answers.map((a) => a.address);
}

/**
 * Refuses (BadRequestError, HTTP 400) URLs we must not fetch: anything but http(s), and hosts
 * with ANY address in a private range (one private answer is enough for DNS rebinding tricks to
 * pick it). `allowPrivate` is for self-hosters who want to process videos from their own network.
 */
export async function assertFetchable(
  url: string,
  opts: { allowPrivate: boolean; lookup?: HostLookup },
): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BadRequestError(`Invalid URL: ${url}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new BadRequestError(`Only http and https URLs can be fetched, not ${parsed.protocol.replace(/:$/, '')}`);
  }
  if (opts.allowPrivate) return;

  // WHATWG URL parsing already turned 2130706433, 0x7f.1 and friends into dotted IPv4.
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host) !== 0) {
    if (isPrivateAddress(host)) throw privateRefusal(parsed.hostname);
    return;
  }

  let addresses: string[];
  try {
    addresses = await (opts.lookup ?? defaultLookup)(host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA') {
      throw new BadRequestError(`Host ${host} does not resolve`, { cause: error });
    }
    throw new ProcessingError(`Could not resolve host ${host}: ${code ?? String(error)}`, {
      cause: error,
      retryable: true,
    });
  }
  if (addresses.length === 0) throw new BadRequestError(`Host ${host} does not resolve`);
  if (addresses.some(isPrivateAddress)) throw privateRefusal(host);
}

function privateRefusal(host: string): BadRequestError {
  return new BadRequestError(
    `URL host ${host} resolves to a private, loopback or otherwise non-public address; refusing to fetch it (set ALLOW_PRIVATE_URLS=true to allow)`,
  );
}
