import { z } from 'zod';
import { UnavailableError, ValidationError, errorMessage } from '../errors.js';
import { askForJson, checkWithSchema, createAIClient } from '../ai/index.js';
import { getConcept, matchConcepts } from '../language/vocabulary.js';
import type { AppContext } from './context.js';

/**
 * Stories: a user's free-text prompt turned into requirement paragraphs, each usable as a
 * semantic search query. Through a chat model when one is configured; otherwise derived from
 * the prompt itself (its clauses, classified as pain points, goals and constraints). Never canned
 * text unrelated to the prompt.
 */
export interface StoriesResult {
  stories: string[];
  source: 'ai' | 'offline';
}

const STORY_SYSTEM_PROMPT = `You help people find exercises in a library of exercise clips.
Read the user's description of their situation and write short requirement paragraphs, each one a self-contained description of exercises they need: the pain point or goal it addresses, the body areas and muscles involved, constraints (equipment, space, time, injuries), and a suitable difficulty and intensity.
Each paragraph must read well as a semantic search query (2-4 sentences, plain words, no lists, no markdown) and must come from what the user said; do not invent conditions they did not mention.
Answer with ONLY a JSON object: {"stories": [string, ...]}`;

const answerSchema = z.object({ stories: z.array(z.string().trim().min(10).max(2000)).min(1) });

export async function generateStories(ctx: AppContext, prompt: string, count: number): Promise<StoriesResult> {
  const { ai } = ctx.config;
  if (ai.storyModel && (ai.baseUrl || ai.apiKey)) {
    return { stories: await storiesFromAI(prompt, count, ctx), source: 'ai' };
  }
  const stories = deriveStories(prompt, count);
  if (stories.length === 0) {
    throw new ValidationError('user_prompt', 'holds nothing to derive stories from (no AI model is configured): say what to train, for whom or how');
  }
  return { stories, source: 'offline' };
}

async function storiesFromAI(prompt: string, count: number, ctx: AppContext): Promise<string[]> {
  const { ai } = ctx.config;
  let answer;
  try {
    answer = await askForJson(createAIClient({ baseUrl: ai.baseUrl, apiKey: ai.apiKey, timeoutMs: ai.timeoutMs }), {
      model: ai.storyModel!,
      what: 'Story generation',
      messages: [
        { role: 'system', content: STORY_SYSTEM_PROMPT },
        { role: 'user', content: `Write ${count} paragraphs.\n\nUser: ${prompt}` },
      ],
      check: checkWithSchema(answerSchema),
      retryPrompt: (problem) => `Your previous answer was invalid: ${problem}. Answer with ONLY the JSON object {"stories": [string, ...]}.`,
    });
  } catch (error) {
    // A request, not a job: the provider being down or refusing is a 503 for the caller.
    throw new UnavailableError(errorMessage(error), { cause: error });
  }
  if (!answer.ok) throw new UnavailableError(`Story generation failed: the AI model answered invalid output (${answer.problem})`);
  return answer.value.stories.slice(0, count);
}

type Kind = 'pain' | 'goal' | 'constraint' | 'context';

const PAIN = /\b(tight|tightness|stiff|stiffness|pain|painful|hurts?|aching|aches?|sore|soreness|weak|weakness|injur(?:y|ed|ies)|slouch\w*|posture|sit(?:ting)? all day|desk|cramp\w*|imbalance\w*|tension)\b/i;
const GOAL = /\b(want|wanna|would like|goal|aim|hope|improve|build|get (?:better|stronger|fitter)|learn|achieve|master|increase|gain|lose|prepare|train for|able to|handstands?|pull-?ups?|splits?|marathon|run(?:ning)?)\b/i;
const CONSTRAINT = /\b(no (?:equipment|gym|weights)|at home|only (?:have|got)|minutes?|small space|apartment|quiet|beginner|new to|older|years old|pregnan\w*|knee|back|shoulder|wrist|bad|can't|cannot|without|dumbbells?|kettlebells?|bands?)\b/i;

function classify(clause: string): Kind {
  if (PAIN.test(clause)) return 'pain';
  if (GOAL.test(clause)) return 'goal';
  if (CONSTRAINT.test(clause)) return 'constraint';
  return 'context';
}

function intensityHint(prompt: string): string {
  if (/\b(gentle|easy|light|beginner|new to|older|injur|rehab|recover|pain)\w*/i.test(prompt)) return 'low to moderate intensity, beginner friendly';
  if (/\b(intense|hard|advanced|athlete|explosive|max(imal)?|heavy)\b/i.test(prompt)) return 'high intensity for a trained person';
  return 'moderate intensity';
}

/** Splits a prompt into clauses: sentences, then "and"/"but"/"so"/commas between longer parts. */
export function splitClauses(prompt: string): string[] {
  return prompt
    .replace(/[ \t]+/g, ' ')
    .split(/(?<=[.!?;])\s+|\s*\n+\s*/)
    .flatMap((sentence) => sentence.split(/,\s*(?:and|but|so)?\s*|\s+(?:and|but|so|because|while)\s+(?=\b(?:i|my|me|it|the|to)\b)/i))
    .map((c) => c.replace(/^[\s,.;!?-]+|[\s,.;!?]+$/g, '').trim())
    .filter((c) => c.split(/\s+/).length >= 2);
}

/** The vocabulary's muscles, equipment, categories and movement patterns a clause mentions. */
function focusOf(clause: string): string {
  const ids = matchConcepts(clause)
    .filter((m) => m.weight >= 0.5)
    .map((m) => getConcept(m.concept))
    .filter((c): c is NonNullable<typeof c> => c !== undefined && ['muscle', 'equipment', 'category', 'pattern'].includes(c.kind))
    .map((c) => c.id);
  const unique = [...new Set(ids)];
  return unique.length ? ` Focus on ${unique.join(', ')}.` : '';
}

/** The offline derivation: one paragraph per clause of the prompt, most useful kinds first. */
export function deriveStories(prompt: string, count: number): string[] {
  const clauses = splitClauses(prompt);
  const intensity = intensityHint(prompt);
  // The user's own words are quoted, not paraphrased: the derivation must not put words in their mouth.
  const constraints = clauses.filter((c) => classify(c) === 'constraint').map((c) => `"${c}"`);
  const constraintText = constraints.length ? ` Constraints: ${constraints.join('; ')}.` : '';
  const stories: string[] = [];
  for (const clause of clauses) {
    const kind = classify(clause);
    const focus = focusOf(clause);
    if (kind === 'pain') {
      stories.push(`Exercises that relieve "${clause}": mobility, stretching and strengthening for the affected area, at ${intensity}.${focus}${constraintText}`);
    } else if (kind === 'goal') {
      stories.push(`Exercises that build toward "${clause}": progressive strength, skill and mobility work for the muscles it needs, at ${intensity}.${focus}${constraintText}`);
    } else if (kind === 'context') {
      stories.push(`Exercises suited to "${clause}", at ${intensity}.${focus}${constraintText}`);
    }
  }
  if (stories.length === 0 && constraints.length) {
    stories.push(`Exercises that fit these constraints: ${constraints.join('; ')}, at ${intensity}.${focusOf(prompt)}`);
  }
  return [...new Set(stories)].slice(0, count);
}
