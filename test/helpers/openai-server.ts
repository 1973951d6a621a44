import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small local HTTP server that speaks the parts of the OpenAI protocol we use
 * (`/v1/embeddings`, `/v1/chat/completions`, `/v1/audio/transcriptions`), so tests exercise the
 * real `openai` client end to end. Each route is answered by a handler the test supplies.
 */
export interface FakeRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON body, or the raw body (multipart uploads) as a Buffer. */
  body: unknown;
  raw: Buffer;
}

export interface FakeResponse {
  status?: number;
  json?: unknown;
  headers?: Record<string, string>;
  /** Wait this long before answering (timeouts). */
  delayMs?: number;
  /** Destroy the socket instead of answering (connection drops). */
  drop?: boolean;
}

export type FakeHandler = (req: FakeRequest, callIndex: number) => FakeResponse | Promise<FakeResponse>;

export interface FakeOpenAI {
  baseUrl: string;
  requests: FakeRequest[];
  /** Replaces or adds a handler for a path such as `/v1/embeddings`. */
  on(path: string, handler: FakeHandler): void;
  close(): Promise<void>;
}

export async function startFakeOpenAI(handlers: Record<string, FakeHandler> = {}): Promise<FakeOpenAI> {
  const routes = new Map(Object.entries(handlers));
  const calls = new Map<string, number>();
  const requests: FakeRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void answerRequest());
    async function answerRequest(): Promise<void> {
      const raw = Buffer.concat(chunks);
      const pathname = new URL(req.url ?? '/', 'http://x').pathname;
      let body: unknown = raw;
      if ((req.headers['content-type'] ?? '').includes('application/json')) {
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          body = raw.toString('utf8');
        }
      }
      const request: FakeRequest = { method: req.method ?? 'GET', path: pathname, headers: req.headers, body, raw };
      requests.push(request);
      const handler = routes.get(pathname);
      if (!handler) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `no fake handler for ${pathname}` } }));
        return;
      }
      const index = calls.get(pathname) ?? 0;
      calls.set(pathname, index + 1);
      try {
        const answer = await handler(request, index);
        if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
        if (answer.drop) {
          req.socket.destroy();
          return;
        }
        res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
        res.end(JSON.stringify(answer.json ?? {}));
      } catch (error) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: String(error) } }));
      }
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    on(path, handler) {
      routes.set(path, handler);
      calls.set(path, 0);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Encodes a vector the way the OpenAI API does when `encoding_format` is `base64` (the SDK's default). */
export function toBase64Embedding(vector: readonly number[]): string {
  return Buffer.from(new Float32Array(vector).buffer).toString('base64');
}

/** A chat completion answer carrying `content`. */
export function chatCompletion(content: string, model = 'fake-model'): unknown {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  };
}
