import dns from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import net from 'node:net';
import { BadRequestError, PrivateAddressError, ProcessingError } from '../errors.js';

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
  ['64:ff9b:1::', 48], // NAT64 local use (RFC 8215)
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
 * The IPv4 addresses an IPv6 address reaches through a translation or tunnelling scheme, decoded
 * so the IPv4 ranges apply to them too (BlockList only unwraps the mapped form):
 * - IPv4-mapped ::ffff:0:0/96, IPv4-translated ::ffff:0:0:0/96 (SIIT), IPv4-compatible ::/96
 *   and NAT64's well-known prefix 64:ff9b::/96 carry it in the low 32 bits;
 * - 6to4 2002::/16 carries it in bits 16-47;
 * - Teredo 2001:0::/32 carries the server's IPv4 in bits 32-63 and the client's, inverted
 *   ("obfuscated"), in the low 32 bits; both are checked.
 * NAT64's local-use prefix 64:ff9b:1::/48 is blocked whole (BLOCKED_V6): where the IPv4 sits
 * depends on the operator's prefix length, and it is not global anyway.
 */
export function embeddedIPv4s(ip: string): string[] {
  const g = expandIPv6(ip);
  if (!g) return [];
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  const zero = (from: number, to: number) => g.slice(from, to).every((x) => x === 0);
  if (zero(0, 5) && g[5] === 0xffff) return [v4(g[6]!, g[7]!)];
  if (zero(0, 4) && g[4] === 0xffff && g[5] === 0) return [v4(g[6]!, g[7]!)];
  if (zero(0, 6)) return [v4(g[6]!, g[7]!)];
  if (g[0] === 0x64 && g[1] === 0xff9b && zero(2, 6)) return [v4(g[6]!, g[7]!)];
  if (g[0] === 0x2002) return [v4(g[1]!, g[2]!)];
  if (g[0] === 0x2001 && g[1] === 0) return [v4(g[2]!, g[3]!), v4(g[6]! ^ 0xffff, g[7]! ^ 0xffff)];
  return [];
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
  return embeddedIPv4s(bare.toLowerCase()).some((v4) => blockList.check(v4, 'ipv4'));
}

export type HostLookup = (host: string) => Promise<string[]>;

export async function systemLookup(host: string): Promise<string[]> {
  const answers = await dns.lookup(host, { all: true, verbatim: true });
  return answers.map((a) => a.address);
}

export interface FetchPolicy {
  allowPrivate: boolean;
  /** DNS for the check and for every connection; the system resolver when omitted. */
  lookup?: HostLookup;
  /**
   * Which addresses are refused; `isPrivateAddress` when omitted. Tests whose servers can only
   * live on loopback let one loopback address through to test the rest of the rules.
   */
  isPrivate?: (ip: string) => boolean;
}

/**
 * Refuses (BadRequestError, HTTP 400) URLs we must not fetch: anything but http(s), and hosts
 * with ANY address in a private range (one private answer is enough for DNS rebinding tricks to
 * pick it). `allowPrivate` is for self-hosters who want to process videos from their own network.
 * `via: 'redirect'` when the URL came from a redirect, so the message says so.
 *
 * This check alone does not stop DNS rebinding (the connection resolves again): every
 * connection the service makes to such a URL also goes through `pinnedLookup`.
 */
export async function assertFetchable(url: string, opts: FetchPolicy & { via?: 'url' | 'redirect' }): Promise<void> {
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
  const via = opts.via ?? 'url';
  if (net.isIP(host) !== 0) {
    if ((opts.isPrivate ?? isPrivateAddress)(host)) throw new PrivateAddressError(parsed.hostname, via);
    return;
  }
  const addresses = await resolvePublic(host, opts, via);
  if (addresses.length === 0) throw new BadRequestError(`Host ${host} does not resolve`);
}

async function resolvePublic(host: string, policy: FetchPolicy, via: PrivateAddressError['via']): Promise<string[]> {
  const lookup = policy.lookup ?? systemLookup;
  let addresses: string[];
  try {
    addresses = await lookup(host);
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
  if (addresses.some(policy.isPrivate ?? isPrivateAddress)) throw new PrivateAddressError(host, via);
  return addresses;
}

/**
 * A `lookup` for net/tls sockets (and so for undici's connector and the yt-dlp proxy) that
 * resolves once, refuses the connection when any answer is private, and hands the socket
 * exactly the addresses it checked. This is what closes DNS rebinding: there is no second
 * resolution between the check and the connect. IP literals never reach a lookup; callers check
 * them with `assertFetchable`.
 */
export function pinnedLookup(policy: FetchPolicy): net.LookupFunction {
  return (hostname, options, callback) => {
    const answer = async () => {
      const all = policy.allowPrivate ? await (policy.lookup ?? systemLookup)(hostname) : await resolvePublic(hostname, policy, 'connect');
      const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
      const entries = all.map((address) => ({ address, family: net.isIP(address) })).filter((e) => e.family !== 0);
      const wanted = family === 4 || family === 6 ? entries.filter((e) => e.family === family) : entries;
      if (wanted.length === 0) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
      return wanted;
    };
    answer().then(
      (wanted) => {
        if (options.all) (callback as (err: null, addresses: LookupAddress[]) => void)(null, wanted);
        else callback(null, wanted[0]!.address, wanted[0]!.family);
      },
      (error: Error) => callback(error as NodeJS.ErrnoException, '', 0),
    );
  };
}
