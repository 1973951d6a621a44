/**
 * The development set's relevance rules (grammar in shared/data/free-exercise-db/README.md),
 * evaluated on any catalogue entry, so rows the set never judged (the synthetic rows of the
 * large-library bench) are graded by the same rule as the catalogue. Also k-fold splitting with
 * a fixed seed for cross-validation.
 */
import type { CatalogueEntry } from '../src/services/catalogue.js';

type Entry = Pick<CatalogueEntry, 'name' | 'category' | 'level' | 'equipment' | 'force' | 'mechanic' | 'primaryMuscles' | 'secondaryMuscles'>;
type Pred = (e: Entry) => boolean;

function scalar(e: Entry, field: string): string {
  const v = (e as unknown as Record<string, string | null | undefined>)[field];
  return v == null ? 'none' : v;
}

function muscles(e: Entry, field: string): string[] {
  if (field === 'primaryMuscles') return e.primaryMuscles;
  if (field === 'secondaryMuscles') return e.secondaryMuscles;
  return [...e.primaryMuscles, ...e.secondaryMuscles];
}

const list = (s: string) => s.split(',').map((x) => x.trim());

function atom(text: string): Pred {
  let m = /^name ~ "(.*)"$/.exec(text);
  if (m) {
    const re = new RegExp(m[1]!, 'i');
    return (e) => re.test(e.name);
  }
  m = /^(\w+) = (.+)$/.exec(text);
  if (m) {
    const [, field, value] = m;
    return (e) => scalar(e, field!) === value;
  }
  m = /^(\w+) in \[(.*)\]$/.exec(text);
  if (m) {
    const [, field, values] = m;
    const set = new Set(list(values!));
    return (e) => set.has(scalar(e, field!));
  }
  m = /^(\w+) has_any \[(.*)\]$/.exec(text);
  if (m) {
    const [, field, values] = m;
    const set = list(values!);
    return (e) => muscles(e, field!).some((x) => set.includes(x));
  }
  m = /^(\w+) has (.+)$/.exec(text);
  if (m) {
    const [, field, value] = m;
    return (e) => muscles(e, field!).includes(value!);
  }
  throw new Error(`cannot read rule atom: ${text}`);
}

/** Splits on a keyword at bracket depth 0 (outside quotes and parentheses). */
function splitTop(text: string, keyword: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') quoted = !quoted;
    if (quoted) continue;
    if (c === '(' || c === '[') depth++;
    if (c === ')' || c === ']') depth--;
    if (depth === 0 && text.startsWith(keyword, i)) {
      parts.push(text.slice(from, i));
      from = i + keyword.length;
      i += keyword.length - 1;
    }
  }
  parts.push(text.slice(from));
  return parts.map((p) => p.trim());
}

function expr(text: string): Pred {
  const terms = splitTop(text, ' OR ').map((t) => splitTop(t, ' AND ').map(factor));
  return (e) => terms.some((factors) => factors.every((f) => f(e)));
}

function factor(text: string): Pred {
  if (text.startsWith('NOT ')) {
    const inner = factor(text.slice(4).trim());
    return (e) => !inner(e);
  }
  if (text.startsWith('(') && text.endsWith(')')) return expr(text.slice(1, -1));
  return atom(text);
}

/** A rule as a grading function: 2, 1 or 0. */
export function compileRule(rule: string): (e: Entry) => number {
  const single = /^grade2: (.*)$/.exec(rule);
  if (single) {
    const p = expr(single[1]!);
    return (e) => (p(e) ? 2 : 0);
  }
  const m = /^grade1: (.*); grade2: grade1 AND (.*)$/.exec(rule);
  if (!m) throw new Error(`cannot read rule: ${rule}`);
  const g1 = expr(m[1]!);
  const g2 = expr(m[2]!);
  return (e) => (g1(e) ? (g2(e) ? 2 : 1) : 0);
}

/** A small seeded generator (mulberry32): the same folds and synthetic rows on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Items dealt into k folds after a seeded shuffle. */
export function kFolds<T>(items: readonly T[], k: number, seed: number): T[][] {
  const random = seededRandom(seed);
  const shuffled = [...items];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  return Array.from({ length: k }, (_, f) => shuffled.filter((_, i) => i % k === f));
}
