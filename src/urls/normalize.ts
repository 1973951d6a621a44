/**
 * Turns a pasted video URL into one canonical form per post/video, so the same source shared
 * through different links (mobile hosts, share links with tracking, embeds, shorts) dedupes to one
 * key. Pure: no network. The canonical form is a dedupe key, not necessarily the best URL to
 * fetch; downloaders should use `original`.
 */
import type { ExercisePlatform } from '../domain/index.js';
import { UnsupportedUrlError, ValidationError } from '../errors.js';

/** The platforms a URL can come from; the domain's other one, catalogue, has no URL. */
export type Platform = Exclude<ExercisePlatform, 'catalogue'>;

export interface NormalizedUrl {
  /** canonical URL: one form per platform; used as the dedupe key with carousel index */
  normalized: string;
  platform: Platform;
  /** 1-based carousel slide (Instagram img_index), 1 when not given */
  carouselIndex: number;
  /** platform's id for the post/video when there is one (YouTube video id, Instagram shortcode, TikTok numeric id) */
  mediaId: string | null;
  /** the input URL, trimmed, as given (for display/downloading) */
  original: string;
}

// Browsers and most servers stop at ~2 KB; anything longer is pasted garbage, not a share link.
const MAX_URL_LENGTH = 2048;

// Parameters that identify the sharer or campaign, never the content. Matched case-insensitively.
const TRACKING_PARAMS = new Set([
  'fbclid',
  'gclid',
  'dclid',
  'gbraid',
  'wbraid',
  'msclkid',
  'ttclid',
  'twclid',
  'yclid',
  'mc_cid',
  'mc_eid',
  '_hsenc',
  '_hsmi',
  'mkt_tok',
  'igsh',
  'igshid',
  'si',
  'feature',
  'ref',
  'ref_src',
  'ref_url',
  '_r',
  '_t',
  'is_from_webapp',
  'sender_device',
  'is_copy_url',
  'web_id',
]);
const TRACKING_PREFIXES = ['utm_', 'share_'];

// Only one prefix is stripped: these are the mobile/legacy aliases the platforms redirect to the
// main site; any other subdomain is a different service (help., business., studio., ...).
const ALIAS_PREFIXES = ['www.', 'm.', 'mobile.'];

const PLATFORM_DOMAINS: ReadonlyArray<readonly [string, Exclude<Platform, 'web'>]> = [
  ['youtube.com', 'youtube'],
  ['youtube-nocookie.com', 'youtube'],
  ['youtu.be', 'youtube'],
  ['instagram.com', 'instagram'],
  ['instagr.am', 'instagram'],
  ['tiktok.com', 'tiktok'],
];

export function normalizeUrl(input: string): NormalizedUrl {
  const { url, original, hostname, platform, host } = parseInput(input);
  switch (platform) {
    case 'youtube': {
      const id = youtubeVideoId(url, host);
      return { normalized: `https://www.youtube.com/watch?v=${id}`, platform, carouselIndex: 1, mediaId: id, original };
    }
    case 'instagram': {
      const { kind, code } = instagramPost(url, host);
      return {
        normalized: `https://www.instagram.com/${kind}/${code}/`,
        platform,
        carouselIndex: instagramCarouselIndex(url),
        mediaId: code,
        original,
      };
    }
    case 'tiktok':
      return { ...tiktokVideo(url, host), platform, carouselIndex: 1, original };
    case 'web':
      return { normalized: webCanonical(url, hostname), platform, carouselIndex: 1, mediaId: null, original };
  }
}

/**
 * The platform a URL belongs to, by host. Applies the same input checks as `normalizeUrl` (so it
 * throws for malformed or non-http(s) input) but does not require the path to name a video: a
 * profile link is still `instagram`. Whenever `normalizeUrl` succeeds, both agree.
 */
export function detectPlatform(input: string): Platform {
  return parseInput(input).platform;
}

interface ParsedInput {
  url: URL;
  original: string;
  /** lower-case, trailing dot removed; IPv6 keeps its brackets */
  hostname: string;
  platform: Platform;
  /** hostname with a www./m./mobile. alias removed (platform hosts only) */
  host: string;
}

function parseInput(input: string): ParsedInput {
  // Callers are typed, but this also guards JSON bodies and CLI arguments that slip through.
  if (typeof input !== 'string') throw new ValidationError('url', 'must be a string');
  const original = input.trim();
  if (original === '') throw new ValidationError('url', 'is empty');
  if (original.length > MAX_URL_LENGTH) {
    throw new ValidationError('url', `is longer than ${MAX_URL_LENGTH} characters`);
  }
  let url: URL;
  try {
    url = new URL(original);
  } catch {
    throw new ValidationError('url', 'is not a valid absolute URL (it needs a scheme such as https://)');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UnsupportedUrlError(`URL scheme "${url.protocol}" is not supported; use an http(s) link`);
  }
  // A trailing dot is the same host in DNS but would otherwise give a second dedupe key.
  const hostname = url.hostname.replace(/\.$/, '');
  if (hostname === '') throw new ValidationError('url', 'has no host');
  // Credentials in a submitted link would be stored and logged; nothing we support needs them.
  if (url.username !== '' || url.password !== '') {
    throw new ValidationError('url', 'must not contain credentials (user:password@)');
  }
  for (const [domain, platform] of PLATFORM_DOMAINS) {
    if (hostname === domain || hostname.endsWith(`.${domain}`)) {
      return { url, original, hostname, platform, host: stripAlias(hostname) };
    }
  }
  return { url, original, hostname, platform: 'web', host: hostname };
}

function stripAlias(hostname: string): string {
  for (const prefix of ALIAS_PREFIXES) {
    if (hostname.startsWith(prefix)) return hostname.slice(prefix.length);
  }
  return hostname;
}

/** Non-empty path segments, still percent-encoded; `//` and a trailing slash are not meaningful on these sites. */
function pathSegments(url: URL): string[] {
  return url.pathname.split('/').filter((s) => s !== '');
}

/** Quotes a user-supplied fragment for an error message without letting it run on. */
function quote(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}

// ---------------------------------------------------------------------------------------------
// YouTube

const YOUTUBE_ID = /^[A-Za-z0-9_-]{11}$/;
// Path forms whose second segment is the video id.
const YOUTUBE_ID_ROUTES = new Set(['shorts', 'embed', 'live', 'v', 'e', 'watch']);
// 11-character words that fit the id pattern but name a playlist or channel stream, not a video.
const YOUTUBE_NOT_IDS = new Set(['videoseries', 'live_stream']);
const YOUTUBE_VIDEO_HOSTS = new Set(['youtube.com', 'music.youtube.com', 'youtube-nocookie.com']);

function youtubeVideoId(url: URL, host: string): string {
  const segments = pathSegments(url);
  const [first, second] = segments;
  let candidate: string | null = null;
  if (host === 'youtu.be') {
    if (segments.length === 1 && first !== undefined) candidate = first;
  } else if (YOUTUBE_VIDEO_HOSTS.has(host)) {
    const route = first?.toLowerCase();
    if (segments.length === 1 && route === 'watch') candidate = url.searchParams.get('v');
    else if (segments.length === 2 && route !== undefined && YOUTUBE_ID_ROUTES.has(route)) candidate = second ?? null;
  } else {
    throw new UnsupportedUrlError(`YouTube host ${host} does not serve videos we can process`);
  }
  if (candidate === null) {
    throw new UnsupportedUrlError(
      'YouTube URL does not point to a single video (channel pages, playlists and the home page are not supported)',
    );
  }
  // Old Flash-era embeds put parameters in the path: /v/ID&hl=en_US&fs=1.
  const id = candidate.split('&')[0] ?? '';
  if (YOUTUBE_NOT_IDS.has(id)) {
    throw new UnsupportedUrlError('YouTube embed of a playlist or channel live stream does not name a single video');
  }
  if (!YOUTUBE_ID.test(id)) {
    throw new UnsupportedUrlError(`YouTube video id ${quote(id)} is not 11 characters of A-Z, a-z, 0-9, _ or -`);
  }
  return id;
}

// ---------------------------------------------------------------------------------------------
// Instagram

const INSTAGRAM_KINDS: Readonly<Record<string, 'p' | 'reel' | 'tv'>> = {
  p: 'p',
  reel: 'reel',
  reels: 'reel',
  tv: 'tv',
};
// Shortcodes are base64url; public ones are 11 characters, private-post codes are much longer.
const INSTAGRAM_SHORTCODE = /^[A-Za-z0-9_-]{1,64}$/;
const INSTAGRAM_USERNAME = /^[A-Za-z0-9._]{1,30}$/;
// What may follow the shortcode and still mean the same post.
const INSTAGRAM_SUFFIXES = new Set(['', 'embed', 'embed/captioned']);

function instagramKind(segment: string | undefined): 'p' | 'reel' | 'tv' | undefined {
  return segment === undefined ? undefined : INSTAGRAM_KINDS[segment.toLowerCase()];
}

function instagramPost(url: URL, host: string): { kind: 'p' | 'reel' | 'tv'; code: string } {
  if (host !== 'instagram.com' && host !== 'instagr.am') {
    throw new UnsupportedUrlError(`Instagram host ${host} does not serve posts we can process`);
  }
  const segments = pathSegments(url);
  // The web app also links posts under the author's name: /<username>/p/CODE/.
  let start = -1;
  if (segments.length >= 2 && instagramKind(segments[0])) start = 0;
  else if (segments.length >= 3 && INSTAGRAM_USERNAME.test(segments[0] ?? '') && instagramKind(segments[1])) start = 1;
  const kind = instagramKind(segments[start]);
  const code = segments[start + 1];
  const suffix = segments
    .slice(start + 2)
    .join('/')
    .toLowerCase();
  if (start < 0 || kind === undefined || code === undefined || !INSTAGRAM_SUFFIXES.has(suffix)) {
    throw new UnsupportedUrlError(
      `Instagram URL ${quote(url.pathname)} is not a post, reel or IGTV video ` +
        '(profiles, stories and explore pages are not supported)',
    );
  }
  if (!INSTAGRAM_SHORTCODE.test(code)) {
    throw new UnsupportedUrlError(`Instagram shortcode ${quote(code)} is not valid`);
  }
  return { kind, code };
}

function instagramCarouselIndex(url: URL): number {
  const raw = url.searchParams.get('img_index');
  if (raw === null) return 1;
  // Six digits is far above Instagram's slide limit and keeps Number() exact.
  if (!/^\d{1,6}$/.test(raw) || Number(raw) < 1) {
    throw new ValidationError('url', `img_index must be a positive integer, got ${quote(raw)}`);
  }
  return Number(raw);
}

// ---------------------------------------------------------------------------------------------
// TikTok

const TIKTOK_ID = /^\d{1,24}$/;
const TIKTOK_SHORT_HOSTS = new Set(['vm.tiktok.com', 'vt.tiktok.com']);

function tiktokVideo(url: URL, host: string): { normalized: string; mediaId: string | null } {
  const segments = pathSegments(url);
  // Share short links only resolve to a video id through a network redirect, which this pure
  // function must not do. They stay platform tiktok with their own canonical form (https, host,
  // path as given, no query) and no mediaId; the downloader follows the redirect.
  if (TIKTOK_SHORT_HOSTS.has(host) || (host === 'tiktok.com' && segments[0]?.toLowerCase() === 't')) {
    const minSegments = TIKTOK_SHORT_HOSTS.has(host) ? 1 : 2;
    if (segments.length < minSegments) throw new UnsupportedUrlError('TikTok short link has no code');
    const shortHost = host === 'tiktok.com' ? 'www.tiktok.com' : host;
    return { normalized: `https://${shortHost}${url.pathname}`, mediaId: null };
  }
  if (host !== 'tiktok.com') {
    throw new UnsupportedUrlError(`TikTok host ${host} does not serve videos we can process`);
  }
  const id = tiktokId(segments);
  if (id === null) {
    throw new UnsupportedUrlError(
      `TikTok URL ${quote(url.pathname)} is not a video or photo post (profiles, tags and sounds are not supported)`,
    );
  }
  if (!TIKTOK_ID.test(id)) throw new UnsupportedUrlError(`TikTok video id ${quote(id)} is not numeric`);
  // No username in the key: users rename, and /@old/video/ID and /@new/video/ID are one video.
  return { normalized: `https://www.tiktok.com/video/${id}`, mediaId: id };
}

/** The id segment of a TikTok video URL, unvalidated, or null when the path is not a video form. */
function tiktokId(segments: string[]): string | null {
  const lower = segments.map((s) => s.toLowerCase());
  const [a, b] = lower;
  const n = segments.length;
  if (n === 3 && a?.startsWith('@') && (b === 'video' || b === 'photo')) return segments[2] ?? null;
  if (n === 2 && a === 'video') return segments[1] ?? null;
  if (n === 2 && a === 'v') return (segments[1] ?? '').replace(/\.html$/i, '');
  if (n === 2 && a === 'embed') return segments[1] ?? null;
  if (n === 3 && a === 'embed' && b === 'v2') return segments[2] ?? null;
  if (n === 3 && a === 'player' && b === 'v1') return segments[2] ?? null;
  if (n === 3 && a === 'share' && b === 'video') return segments[2] ?? null;
  return null;
}

// ---------------------------------------------------------------------------------------------
// Any other site

function webCanonical(url: URL, hostname: string): string {
  // URL already dropped the default port and lower-cased scheme and host.
  const port = url.port === '' ? '' : `:${url.port}`;
  return `${url.protocol}//${hostname}${port}${url.pathname}${canonicalQuery(url.search)}`;
}

/**
 * Tracking parameters removed, the rest sorted by key (stable, so repeated keys keep their order).
 * Works on the raw `k=v` pairs rather than URLSearchParams so percent-encoding stays exactly as the
 * URL class gave it: re-serialising would turn %20 into + and valueless `flag` into `flag=`.
 */
function canonicalQuery(search: string): string {
  if (search.length <= 1) return '';
  const pairs = search
    .slice(1)
    .split('&')
    .filter((raw) => raw !== '')
    .map((raw) => ({ raw, key: decodeQueryKey(raw) }))
    .filter(({ key }) => !isTrackingParam(key));
  pairs.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  return pairs.length === 0 ? '' : `?${pairs.map((p) => p.raw).join('&')}`;
}

function decodeQueryKey(pair: string): string {
  const rawKey = pair.split('=', 1)[0] ?? '';
  try {
    return decodeURIComponent(rawKey.replace(/\+/g, ' '));
  } catch {
    return rawKey;
  }
}

function isTrackingParam(key: string): boolean {
  const lower = key.toLowerCase();
  return TRACKING_PARAMS.has(lower) || TRACKING_PREFIXES.some((prefix) => lower.startsWith(prefix));
}
