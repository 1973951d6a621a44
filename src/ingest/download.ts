import { mkdir } from 'node:fs/promises';
import type { Platform } from '../urls/index.js';
import { downloadDirect, type DirectOptions } from './direct.js';
import type { DownloadResult } from './types.js';
import { downloadWithYtDlp } from './ytdlp.js';

/**
 * Fetching what a user linked: direct video links by the service itself (direct.ts), social
 * platforms through yt-dlp (ytdlp.ts). Both refuse private addresses on every connection.
 */

export type { Platform };

export interface DownloadSource {
  url: string;
  platform: Platform;
  /** 1-based slide to fetch from an Instagram post (from `img_index`); 1 means "the post". */
  carouselIndex: number;
}

export interface DownloadOptions extends DirectOptions {
  ytdlpPath?: string;
}

export async function downloadMedia(
  source: DownloadSource,
  destDir: string,
  opts: DownloadOptions,
): Promise<DownloadResult> {
  await mkdir(destDir, { recursive: true });
  if (source.platform === 'web') return downloadDirect(source.url, destDir, opts);

  // Carousels only exist on Instagram posts; elsewhere a playlist would mean downloading a whole
  // channel or mix instead of the one video the user linked.
  const isPost = source.platform === 'instagram' && !/\/(reels?|tv)\//i.test(new URL(source.url).pathname);
  return downloadWithYtDlp(source.url, destDir, {
    ...opts,
    playlist: isPost,
    playlistItem: isPost && source.carouselIndex > 1 ? source.carouselIndex : undefined,
  });
}
