import { describe, expect, it } from 'vitest';
import { UnsupportedUrlError, ValidationError } from '../../src/errors.js';
import { detectPlatform, normalizeUrl, type Platform } from '../../src/urls/normalize.js';

interface ValidCase {
  input: string;
  normalized: string;
  platform: Platform;
  mediaId: string | null;
  carouselIndex: number;
}

const ok = (
  input: string,
  normalized: string,
  platform: Platform,
  mediaId: string | null,
  carouselIndex = 1,
): ValidCase => ({ input, normalized, platform, mediaId, carouselIndex });

const YT = 'https://www.youtube.com/watch?v=';
const IG = 'https://www.instagram.com';
const TT = 'https://www.tiktok.com/video/';
const TT_ID = '7301234567890123456';

const valid: ValidCase[] = [
  // YouTube
  ok('https://www.youtube.com/watch?v=IODxDxX7oi4', `${YT}IODxDxX7oi4`, 'youtube', 'IODxDxX7oi4'),
  ok('https://youtube.com/watch?v=IODxDxX7oi4&t=1m2s', `${YT}IODxDxX7oi4`, 'youtube', 'IODxDxX7oi4'),
  ok('https://m.youtube.com/watch?v=aclHkVaku9U&feature=youtu.be', `${YT}aclHkVaku9U`, 'youtube', 'aclHkVaku9U'),
  ok(
    'https://www.youtube.com/watch?v=aclHkVaku9U&list=PLyqKj7LwU2RukxJbBHi9BtEuYYKm9UqQQ&index=3',
    `${YT}aclHkVaku9U`,
    'youtube',
    'aclHkVaku9U',
  ),
  ok('https://www.youtube.com/watch?app=desktop&v=Z-9_wLxa0Qk', `${YT}Z-9_wLxa0Qk`, 'youtube', 'Z-9_wLxa0Qk'),
  ok('  HTTPS://WWW.YOUTUBE.COM/watch?v=IODxDxX7oi4  ', `${YT}IODxDxX7oi4`, 'youtube', 'IODxDxX7oi4'),
  ok('https://www.youtube.com./watch?v=IODxDxX7oi4#t=30', `${YT}IODxDxX7oi4`, 'youtube', 'IODxDxX7oi4'),
  ok('http://www.youtube.com:80/watch?v=IODxDxX7oi4', `${YT}IODxDxX7oi4`, 'youtube', 'IODxDxX7oi4'),
  ok('https://youtu.be/IODxDxX7oi4?si=Xk3jd9_2hsd8Jk1L', `${YT}IODxDxX7oi4`, 'youtube', 'IODxDxX7oi4'),
  ok('https://youtu.be/IODxDxX7oi4?t=42', `${YT}IODxDxX7oi4`, 'youtube', 'IODxDxX7oi4'),
  ok('https://youtube.com/shorts/Kq3u9l2M8cE?si=abcDEF123', `${YT}Kq3u9l2M8cE`, 'youtube', 'Kq3u9l2M8cE'),
  ok('https://m.youtube.com/shorts/Kq3u9l2M8cE/', `${YT}Kq3u9l2M8cE`, 'youtube', 'Kq3u9l2M8cE'),
  ok('https://www.youtube.com/embed/IODxDxX7oi4?start=30&autoplay=1', `${YT}IODxDxX7oi4`, 'youtube', 'IODxDxX7oi4'),
  ok('https://www.youtube-nocookie.com/embed/IODxDxX7oi4?rel=0', `${YT}IODxDxX7oi4`, 'youtube', 'IODxDxX7oi4'),
  ok('https://www.youtube.com/live/Kq3u9l2M8cE?feature=share', `${YT}Kq3u9l2M8cE`, 'youtube', 'Kq3u9l2M8cE'),
  ok('http://www.youtube.com/v/IODxDxX7oi4&hl=en_US&fs=1', `${YT}IODxDxX7oi4`, 'youtube', 'IODxDxX7oi4'),
  ok('https://www.youtube.com/v/IODxDxX7oi4?version=3', `${YT}IODxDxX7oi4`, 'youtube', 'IODxDxX7oi4'),
  ok('https://www.youtube.com/e/IODxDxX7oi4', `${YT}IODxDxX7oi4`, 'youtube', 'IODxDxX7oi4'),
  ok('https://www.youtube.com/watch/IODxDxX7oi4', `${YT}IODxDxX7oi4`, 'youtube', 'IODxDxX7oi4'),
  ok('https://music.youtube.com/watch?v=aclHkVaku9U&si=q1w2e3', `${YT}aclHkVaku9U`, 'youtube', 'aclHkVaku9U'),

  // Instagram
  ok('https://www.instagram.com/p/C8xYz12AbCd/', `${IG}/p/C8xYz12AbCd/`, 'instagram', 'C8xYz12AbCd'),
  ok('https://instagram.com/p/C8xYz12AbCd', `${IG}/p/C8xYz12AbCd/`, 'instagram', 'C8xYz12AbCd'),
  ok(
    'https://www.instagram.com/p/C8xYz12AbCd/?img_index=3&igsh=MWZ1dXJ0eGx4cHZ5Ng==',
    `${IG}/p/C8xYz12AbCd/`,
    'instagram',
    'C8xYz12AbCd',
    3,
  ),
  ok('https://www.instagram.com/p/C8xYz12AbCd/?img_index=1', `${IG}/p/C8xYz12AbCd/`, 'instagram', 'C8xYz12AbCd', 1),
  ok(
    'https://www.instagram.com/p/C8xYz12AbCd/?utm_source=ig_web_copy_link&img_index=10',
    `${IG}/p/C8xYz12AbCd/`,
    'instagram',
    'C8xYz12AbCd',
    10,
  ),
  ok('https://m.instagram.com/p/C8xYz12AbCd/?igshid=YmMyMTA2M2Y=', `${IG}/p/C8xYz12AbCd/`, 'instagram', 'C8xYz12AbCd'),
  ok('https://WWW.INSTAGRAM.COM/p/C8xYz12AbCd/', `${IG}/p/C8xYz12AbCd/`, 'instagram', 'C8xYz12AbCd'),
  ok('https://instagr.am/p/C8xYz12AbCd/', `${IG}/p/C8xYz12AbCd/`, 'instagram', 'C8xYz12AbCd'),
  ok(
    'https://www.instagram.com/reel/DA1b2C3d4E5/?igsh=NTc4MTIwNjQ2YQ==',
    `${IG}/reel/DA1b2C3d4E5/`,
    'instagram',
    'DA1b2C3d4E5',
  ),
  ok('https://www.instagram.com/reels/DA1b2C3d4E5/', `${IG}/reel/DA1b2C3d4E5/`, 'instagram', 'DA1b2C3d4E5'),
  ok('https://www.instagram.com/tv/B_x-Yz_9aQ1/', `${IG}/tv/B_x-Yz_9aQ1/`, 'instagram', 'B_x-Yz_9aQ1'),
  ok(
    'https://www.instagram.com/fit.coach_22/p/C8xYz12AbCd/?img_index=2',
    `${IG}/p/C8xYz12AbCd/`,
    'instagram',
    'C8xYz12AbCd',
    2,
  ),
  ok(
    'https://www.instagram.com/fitcoach/reel/DA1b2C3d4E5/?utm_source=ig_web_copy_link',
    `${IG}/reel/DA1b2C3d4E5/`,
    'instagram',
    'DA1b2C3d4E5',
  ),
  ok('https://www.instagram.com/p/C8xYz12AbCd/embed/captioned/', `${IG}/p/C8xYz12AbCd/`, 'instagram', 'C8xYz12AbCd'),
  ok('https://www.instagram.com/p/C8xYz12AbCd/#comments', `${IG}/p/C8xYz12AbCd/`, 'instagram', 'C8xYz12AbCd'),

  // TikTok
  ok(
    `https://www.tiktok.com/@fitcoach/video/${TT_ID}?is_from_webapp=1&sender_device=pc`,
    `${TT}${TT_ID}`,
    'tiktok',
    TT_ID,
  ),
  ok(
    `https://www.tiktok.com/@fit.coach_22/video/${TT_ID}?_r=1&_t=8kZ3abcDEF&share_app_id=1233`,
    `${TT}${TT_ID}`,
    'tiktok',
    TT_ID,
  ),
  ok(`https://tiktok.com/@fitcoach/video/${TT_ID}/`, `${TT}${TT_ID}`, 'tiktok', TT_ID),
  ok(`https://www.tiktok.com/@fitcoach/photo/${TT_ID}`, `${TT}${TT_ID}`, 'tiktok', TT_ID),
  ok(`https://m.tiktok.com/v/${TT_ID}.html?u_code=abc&preview_pb=0`, `${TT}${TT_ID}`, 'tiktok', TT_ID),
  ok(`https://www.tiktok.com/embed/v2/${TT_ID}?lang=en-US`, `${TT}${TT_ID}`, 'tiktok', TT_ID),
  ok(`https://www.tiktok.com/embed/${TT_ID}`, `${TT}${TT_ID}`, 'tiktok', TT_ID),
  ok(`https://www.tiktok.com/player/v1/${TT_ID}?autoplay=1`, `${TT}${TT_ID}`, 'tiktok', TT_ID),
  ok(`https://WWW.TikTok.com/@FitCoach/video/${TT_ID}#comments`, `${TT}${TT_ID}`, 'tiktok', TT_ID),
  ok('https://vm.tiktok.com/ZMhvqKx8a/', 'https://vm.tiktok.com/ZMhvqKx8a/', 'tiktok', null),
  ok('http://VM.TIKTOK.COM/ZMhvqKx8a/?k=1', 'https://vm.tiktok.com/ZMhvqKx8a/', 'tiktok', null),
  ok('https://vt.tiktok.com/ZSNfL3abc', 'https://vt.tiktok.com/ZSNfL3abc', 'tiktok', null),
  ok('https://www.tiktok.com/t/ZTRvAbCdE/?t=1', 'https://www.tiktok.com/t/ZTRvAbCdE/', 'tiktok', null),

  // Any other site
  ok(
    'https://my-bucket.s3.us-east-1.amazonaws.com/clips/squat.mp4?X-Amz-Signature=9f8e7d%2F6c&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20240101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20240101T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host',
    'https://my-bucket.s3.us-east-1.amazonaws.com/clips/squat.mp4?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE%2F20240101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20240101T000000Z&X-Amz-Expires=3600&X-Amz-Signature=9f8e7d%2F6c&X-Amz-SignedHeaders=host',
    'web',
    null,
  ),
  ok(
    'https://d111111abcdef8.cloudfront.net/videos/Deadlift.MP4?Signature=abc~def&Key-Pair-Id=K2JCJMDEHXQW5F&Expires=1735689600',
    'https://d111111abcdef8.cloudfront.net/videos/Deadlift.MP4?Expires=1735689600&Key-Pair-Id=K2JCJMDEHXQW5F&Signature=abc~def',
    'web',
    null,
  ),
  ok(
    'HTTPS://CDN.Example.COM/Path/Video.MP4?b=2&a=1#t=10',
    'https://cdn.example.com/Path/Video.MP4?a=1&b=2',
    'web',
    null,
  ),
  ok(
    'https://blog.example.com/workouts/leg-day/?utm_source=newsletter&utm_medium=email&fbclid=IwAR0abc&page=2',
    'https://blog.example.com/workouts/leg-day/?page=2',
    'web',
    null,
  ),
  ok('https://example.com/v.mp4?utm_source=x&gclid=abc', 'https://example.com/v.mp4', 'web', null),
  ok('https://www.example.com/v.mp4', 'https://www.example.com/v.mp4', 'web', null),
  ok('https://example.com', 'https://example.com/', 'web', null),
  ok('https://example.com./clip.mp4', 'https://example.com/clip.mp4', 'web', null),
  ok('https://cdn.example.com:443/clip.mp4', 'https://cdn.example.com/clip.mp4', 'web', null),
  ok('http://cdn.example.com:80/clip.mp4', 'http://cdn.example.com/clip.mp4', 'web', null),
  ok('https://cdn.example.com:8443/clip.mp4', 'https://cdn.example.com:8443/clip.mp4', 'web', null),
  ok('http://[2001:DB8::1]:8080/videos/deadlift.mp4', 'http://[2001:db8::1]:8080/videos/deadlift.mp4', 'web', null),
  ok('http://[::1]/v.mp4', 'http://[::1]/v.mp4', 'web', null),
  ok('http://192.168.1.20:80/clip.mp4?token=a%2Bb', 'http://192.168.1.20/clip.mp4?token=a%2Bb', 'web', null),
  ok('https://bücher.example/übung.mp4', 'https://xn--bcher-kva.example/%C3%BCbung.mp4', 'web', null),
  ok('https://example.com/My Squat.mp4?q=a b', 'https://example.com/My%20Squat.mp4?q=a%20b', 'web', null),
  ok('https://example.com/v.mp4?b=1&a=2&b=0&download', 'https://example.com/v.mp4?a=2&b=1&b=0&download', 'web', null),
  ok('https://example.com/v.mp4?', 'https://example.com/v.mp4', 'web', null),
  ok('https://vimeo.com/123456789', 'https://vimeo.com/123456789', 'web', null),
  ok('https://youtube.co.uk/watch?v=IODxDxX7oi4', 'https://youtube.co.uk/watch?v=IODxDxX7oi4', 'web', null),
];

describe('normalizeUrl: valid URLs', () => {
  it.each(valid)('$input', ({ input, normalized, platform, mediaId, carouselIndex }) => {
    expect(normalizeUrl(input)).toEqual({ normalized, platform, mediaId, carouselIndex, original: input.trim() });
  });

  it.each(valid)('is idempotent: $input', ({ input }) => {
    const first = normalizeUrl(input);
    const second = normalizeUrl(first.normalized);
    // img_index is not part of the key, so a re-normalized key is slide 1 by design.
    expect(second).toEqual({ ...first, carouselIndex: 1, original: first.normalized });
  });

  it.each(valid)('detectPlatform agrees: $input', ({ input, platform }) => {
    expect(detectPlatform(input)).toBe(platform);
  });

  it('gives every slide of one carousel the same key', () => {
    const slides = [1, 2, 3].map((i) =>
      normalizeUrl(`https://www.instagram.com/p/C8xYz12AbCd/?img_index=${i}&igsh=abc`),
    );
    expect(new Set(slides.map((s) => s.normalized)).size).toBe(1);
    expect(slides.map((s) => s.carouselIndex)).toEqual([1, 2, 3]);
  });

  it('accepts exactly 2048 characters', () => {
    const base = 'https://example.com/';
    const input = base + 'a'.repeat(2048 - base.length);
    expect(normalizeUrl(input).normalized).toBe(input);
  });
});

describe('detectPlatform', () => {
  it.each([
    ['https://www.instagram.com/fitcoach/', 'instagram'],
    ['https://www.youtube.com/@fitcoach', 'youtube'],
    ['https://www.tiktok.com/@fitcoach', 'tiktok'],
    ['https://example.com/page', 'web'],
  ] as const)('classifies by host without needing a video path: %s', (input, platform) => {
    expect(detectPlatform(input)).toBe(platform);
  });

  it('rejects malformed and non-http input like normalizeUrl', () => {
    expect(() => detectPlatform('not a url')).toThrow(ValidationError);
    expect(() => detectPlatform('ftp://example.com/v.mp4')).toThrow(UnsupportedUrlError);
  });
});

const invalid: Array<[string, string]> = [
  ['', 'empty'],
  ['   \t ', 'whitespace only'],
  ['not a url', 'no scheme, not parseable'],
  ['www.youtube.com/watch?v=IODxDxX7oi4', 'scheme-less share text'],
  ['https://', 'scheme without host'],
  ['http://exa mple.com/v.mp4', 'space in host'],
  ['http://[::1/v.mp4', 'broken IPv6 literal'],
  ['https://user:pass@example.com/v.mp4', 'credentials'],
  ['https://token@cdn.example.com/v.mp4', 'user name only'],
  [`https://example.com/${'a'.repeat(2049 - 'https://example.com/'.length)}`, '2049 characters'],
  ['https://www.instagram.com/p/C8xYz12AbCd/?img_index=0', 'img_index zero'],
  ['https://www.instagram.com/p/C8xYz12AbCd/?img_index=-2', 'img_index negative'],
  ['https://www.instagram.com/p/C8xYz12AbCd/?img_index=abc', 'img_index not a number'],
  ['https://www.instagram.com/p/C8xYz12AbCd/?img_index=1.5', 'img_index fractional'],
  ['https://www.instagram.com/p/C8xYz12AbCd/?img_index=', 'img_index empty'],
];

const unsupported: Array<[string, string]> = [
  ['ftp://example.com/v.mp4', 'ftp scheme'],
  ['file:///home/me/squat.mp4', 'file scheme'],
  ['javascript:alert(1)', 'javascript scheme'],
  ['data:video/mp4;base64,AAAAIGZ0eXA=', 'data scheme'],
  ['mailto:coach@example.com', 'mailto scheme'],
  ['https://www.instagram.com/fitcoach/', 'Instagram profile'],
  ['https://www.instagram.com/stories/fitcoach/3312345678901234567/', 'Instagram story'],
  ['https://www.instagram.com/explore/tags/legday/', 'Instagram explore'],
  ['https://www.instagram.com/', 'Instagram home'],
  ['https://www.instagram.com/reels/audio/1234567890/', 'Instagram reels audio page'],
  ['https://www.instagram.com/p/', 'Instagram post without shortcode'],
  ['https://www.instagram.com/p/C8x%24Yz/', 'Instagram shortcode with bad characters'],
  ['https://help.instagram.com/370452623149242', 'Instagram help site'],
  ['https://www.youtube.com/', 'YouTube home'],
  ['https://www.youtube.com/@fitcoach', 'YouTube channel handle'],
  ['https://www.youtube.com/channel/UCabcdefghijklmnopqrstuv', 'YouTube channel id'],
  ['https://www.youtube.com/playlist?list=PLyqKj7LwU2RukxJbBHi9BtEuYYKm9UqQQ', 'YouTube playlist'],
  ['https://www.youtube.com/watch?list=PLyqKj7LwU2RukxJbBHi9BtEuYYKm9UqQQ', 'YouTube watch without v'],
  ['https://www.youtube.com/watch?v=abc123', 'YouTube id too short'],
  ['https://youtube.com/shorts/Kq3u9l2M8cE12', 'YouTube id too long'],
  ['https://youtu.be/', 'youtu.be without id'],
  ['https://www.youtube.com/embed/videoseries?list=PLyqKj7LwU2RukxJbBHi9BtEuYYKm9UqQQ', 'YouTube playlist embed'],
  ['https://studio.youtube.com/video/IODxDxX7oi4/edit', 'YouTube Studio'],
  ['https://www.tiktok.com/@fitcoach', 'TikTok profile'],
  ['https://www.tiktok.com/@fitcoach/', 'TikTok profile with slash'],
  ['https://www.tiktok.com/', 'TikTok home'],
  ['https://www.tiktok.com/tag/legday', 'TikTok tag page'],
  ['https://www.tiktok.com/@fitcoach/video/not-a-number', 'TikTok non-numeric id'],
  ['https://vm.tiktok.com/', 'TikTok short link without code'],
];

describe('normalizeUrl: rejected URLs', () => {
  it.each(invalid)('ValidationError for %j (%s)', (input) => {
    let error: unknown;
    try {
      normalizeUrl(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('url');
    expect((error as ValidationError).message).toMatch(/^url: \S/);
  });

  it.each(unsupported)('UnsupportedUrlError for %s (%s)', (input) => {
    let error: unknown;
    try {
      normalizeUrl(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnsupportedUrlError);
    expect((error as UnsupportedUrlError).code).toBe('unsupported_url');
    expect((error as UnsupportedUrlError).status).toBe(400);
  });

  it('names the platform in UnsupportedUrlError messages', () => {
    expect(() => normalizeUrl('https://www.instagram.com/fitcoach/')).toThrow(/Instagram/);
    expect(() => normalizeUrl('https://www.youtube.com/@fitcoach')).toThrow(/YouTube/);
    expect(() => normalizeUrl('https://www.tiktok.com/@fitcoach')).toThrow(/TikTok/);
    expect(() => normalizeUrl('ftp://example.com/v.mp4')).toThrow(/ftp:/);
  });

  it('rejects non-string input at runtime', () => {
    expect(() => normalizeUrl(undefined as unknown as string)).toThrow(ValidationError);
  });
});
