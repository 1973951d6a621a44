import { pino, type Logger } from 'pino';

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
const wanted = process.env.LOG_LEVEL?.trim();
// An unknown LOG_LEVEL must not crash here with pino's stack trace: loadConfig refuses it with a
// one-line message naming the variable.
const level = wanted && LEVELS.has(wanted) ? wanted : process.env.NODE_ENV === 'test' || process.env.VITEST ? 'silent' : 'info';

/**
 * The one structured logger. Secrets never reach it: the redact list covers every place a key or
 * a connection string with a password can appear. Logs go to standard error, so that a command's standard output is only its result
 * (`fitness-builder stats --json | jq .`).
 */
export const logger: Logger = pino(
  {
    level,
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
  },
  pino.destination({ dest: 2, sync: true }),
);

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
