import { pino, type Logger } from 'pino';

/**
 * The one structured logger. Secrets never reach it: the redact list covers every place a key or
 * a connection string with a password can appear.
 */
export const logger: Logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' || process.env.VITEST ? 'silent' : 'info'),
  redact: {
    paths: [
      'apiKey',
      '*.apiKey',
      'config.openaiApiKey',
      'config.apiKey',
      'config.databaseUrl',
      'req.headers.authorization',
      'headers.authorization',
    ],
    censor: '[redacted]',
  },
});

export type { Logger };

/** Removes a password from a postgres URL before it is shown anywhere. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '[unparseable url]';
  }
}
