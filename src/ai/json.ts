import type OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { z } from 'zod';
import { logger } from '../logger.js';
import { aiFailure, rejectsOption } from './client.js';

/** A model's answer checked: the value, or what is wrong with it in words the model can act on. */
export type Checked<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Checks an answer against a zod schema, forgiving code fences around the JSON. */
export function checkWithSchema<S extends z.ZodType>(schema: S): (content: string) => Checked<z.output<S>> {
  return (content) => {
    let json: unknown;
    try {
      json = JSON.parse(content.replace(/^\s*```(?:json)?\s*|\s*```\s*$/g, ''));
    } catch {
      return { ok: false, problem: 'the answer is not JSON' };
    }
    const parsed = schema.safeParse(json);
    if (parsed.success) return { ok: true, value: parsed.data };
    const issue = parsed.error.issues[0];
    const where = issue?.path.map(String).join('.');
    return { ok: false, problem: `${where ? `${where}: ` : ''}${issue?.message ?? 'not the requested JSON'}` };
  };
}

export interface AskForJson<T> {
  model: string;
  messages: ChatCompletionMessageParam[];
  check: (content: string) => Checked<T>;
  /** Names the call in errors and logs, e.g. "AI analysis". */
  what: string;
  /** The follow-up message after an unusable answer. */
  retryPrompt: (problem: string) => string;
  temperature?: number;
}

/**
 * Asks a chat model for JSON, checks the answer, and when it is unusable asks once more with the
 * problem spelled out (models mostly fix a missing field or stray prose when told). Servers that
 * refuse JSON mode are asked without it: the prompt already demands JSON. Transport failures
 * throw aiFailure(); two unusable answers return the last problem.
 */
export async function askForJson<T>(client: OpenAI, request: AskForJson<T>): Promise<Checked<T>> {
  const messages = [...request.messages];
  let problem = '';
  for (let attempt = 0; attempt < 2; attempt++) {
    const content = await complete(client, request, messages);
    const checked = request.check(content);
    if (checked.ok) return checked;
    problem = checked.problem;
    logger.warn({ what: request.what, problem }, 'the model answered unusable JSON; asking once more');
    messages.push({ role: 'assistant', content: content || '(empty)' }, { role: 'user', content: request.retryPrompt(problem) });
  }
  return { ok: false, problem };
}

async function complete(client: OpenAI, request: AskForJson<unknown>, messages: ChatCompletionMessageParam[]): Promise<string> {
  const base = { model: request.model, messages, ...(request.temperature !== undefined ? { temperature: request.temperature } : {}) };
  try {
    const response = await client.chat.completions.create({ ...base, response_format: { type: 'json_object' } });
    return response.choices[0]?.message?.content ?? '';
  } catch (error) {
    if (!rejectsOption(error, /response_format|json_object/i)) throw aiFailure(error, request.what);
    try {
      const response = await client.chat.completions.create(base);
      return response.choices[0]?.message?.content ?? '';
    } catch (retryError) {
      throw aiFailure(retryError, request.what);
    }
  }
}
