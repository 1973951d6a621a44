import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../errors.js';
import { sendError } from './errors.js';
import { parseRange } from './range.js';

/**
 * Streams clips and thumbnails from CLIPS_DIR under /storage/clips/<file> with Range support.
 * Only plain file names with a known extension are served; the real path must stay inside the
 * folder (no `..`, no symlink escape), and hidden files (deletes in progress) are never served.
 */
const CONTENT_TYPES: Record<string, string> = {
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.webm': 'video/webm',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
};
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;

export function registerClipRoutes(app: FastifyInstance, clipsDir: string): void {
  const root = fs.realpathSync(clipsDir);
  app.route({
    method: ['GET', 'HEAD'],
    url: '/storage/clips/:file',
    config: { auth: 'public' },
    schema: { hide: true },
    handler: async (request, reply) => {
      const { file } = request.params as { file: string };
      const type = CONTENT_TYPES[path.extname(file).toLowerCase()];
      if (!SAFE_NAME.test(file) || file.includes('..') || !type) {
        throw new NotFoundError('Clip', file);
      }
      let real: string;
      let stat: fs.Stats;
      try {
        real = await fs.promises.realpath(path.join(root, file));
        stat = await fs.promises.stat(real);
      } catch {
        throw new NotFoundError('Clip', file);
      }
      if (path.dirname(real) !== root || !stat.isFile()) throw new NotFoundError('Clip', file);

      const etag = `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
      void reply
        .header('content-type', type)
        .header('accept-ranges', 'bytes')
        .header('etag', etag)
        .header('last-modified', stat.mtime.toUTCString())
        // Names are exercise ids and a clip is never rewritten in place, so it can be cached for long.
        .header('cache-control', 'public, max-age=86400');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();

      const range = parseRange(request.headers.range, stat.size);
      if (range.kind === 'unsatisfiable') {
        void reply.header('content-type', 'application/json; charset=utf-8').header('content-range', `bytes */${stat.size}`);
        return sendError(request, reply, 416, 'Range not satisfiable');
      }
      const { start, end } = range.kind === 'partial' ? range : { start: 0, end: stat.size - 1 };
      if (range.kind === 'partial') reply.code(206).header('content-range', `bytes ${start}-${end}/${stat.size}`);
      void reply.header('content-length', Math.max(0, end - start + 1));
      if (request.method === 'HEAD' || stat.size === 0) return reply.send();
      return reply.send(fs.createReadStream(real, { start, end }));
    },
  });
}
