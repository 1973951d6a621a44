import { stem, tokenize } from './text.js';

/**
 * A small fitness vocabulary: the concepts exercises are described by (muscle groups, equipment,
 * training categories, levels, force, mechanics, movement patterns, intensity), the taxonomy
 * values our rows use for each, and the everyday words and phrases people use for them
 * ("pecs", "back of my thighs", "no equipment", "first-timer", "zig-zag bar").
 *
 * What it is: general domain knowledge written once, shared by the offline embedder (one vector
 * dimension per concept) and by full-text search (query expansion, and synonyms written into
 * each exercise's document so "pecs" finds exercises tagged `chest`).
 * What it is not: a neural model or a thesaurus of English. It understands no paraphrase beyond
 * the phrases listed here, and it must stay general: an entry belongs here only if it is true
 * of fitness language in general, never to make one particular query rank well.
 */

export type ConceptKind = 'muscle' | 'equipment' | 'category' | 'level' | 'force' | 'mechanic' | 'pattern' | 'intensity';

export interface Concept {
  id: string;
  kind: ConceptKind;
  /** Taxonomy values (lower case) that mean this concept in our rows. */
  values: string[];
  /** Words for full-text search: added to the document of a row with this concept, and to a query that names it. */
  words: string[];
}

const concept = (kind: ConceptKind, id: string, words: string[], values: string[] = [id]): Concept => ({ id, kind, values, words });

export const CONCEPTS: readonly Concept[] = [
  // muscles: taxonomy values of free-exercise-db, which our pipeline also uses
  concept('muscle', 'chest', ['chest', 'pec', 'pectoral']),
  concept('muscle', 'shoulders', ['shoulder', 'delt', 'deltoid']),
  concept('muscle', 'lats', ['lats', 'latissimus', 'back']),
  concept('muscle', 'middle back', ['middle back', 'upper back', 'rhomboid', 'back']),
  concept('muscle', 'lower back', ['lower back', 'erector', 'lumbar', 'back']),
  concept('muscle', 'traps', ['trap', 'trapezius']),
  concept('muscle', 'biceps', ['bicep', 'arm']),
  concept('muscle', 'triceps', ['tricep', 'arm']),
  concept('muscle', 'forearms', ['forearm', 'grip', 'wrist']),
  concept('muscle', 'abdominals', ['abs', 'abdominal', 'core', 'oblique']),
  concept('muscle', 'quadriceps', ['quadricep', 'quad', 'thigh', 'leg']),
  concept('muscle', 'hamstrings', ['hamstring', 'thigh', 'leg']),
  concept('muscle', 'glutes', ['glute', 'butt', 'hip']),
  concept('muscle', 'calves', ['calf', 'leg']),
  concept('muscle', 'adductors', ['adductor', 'groin', 'inner thigh']),
  concept('muscle', 'abductors', ['abductor', 'outer hip', 'hip']),
  concept('muscle', 'neck', ['neck']),
  // equipment; a missing value is treated as no equipment (most such rows are stretches)
  concept('equipment', 'barbell', ['barbell']),
  concept('equipment', 'dumbbell', ['dumbbell']),
  concept('equipment', 'kettlebells', ['kettlebell']),
  concept('equipment', 'cable', ['cable', 'pulley']),
  concept('equipment', 'machine', ['machine']),
  concept('equipment', 'bands', ['band']),
  concept('equipment', 'medicine ball', ['medicine ball']),
  concept('equipment', 'exercise ball', ['exercise ball', 'stability ball', 'swiss ball']),
  concept('equipment', 'foam roll', ['foam roll', 'foam roller', 'myofascial']),
  concept('equipment', 'e-z curl bar', ['ez bar', 'curl bar']),
  concept('equipment', 'bodyweight', ['bodyweight', 'body weight'], ['body only', 'none', 'bodyweight']),
  // training categories
  concept('category', 'strength', ['strength']),
  concept('category', 'stretching', ['stretch', 'flexibility', 'mobility']),
  concept('category', 'plyometrics', ['plyometric', 'jump', 'explosive']),
  concept('category', 'cardio', ['cardio', 'conditioning']),
  concept('category', 'powerlifting', ['powerlifting']),
  concept('category', 'olympic weightlifting', ['olympic', 'weightlifting']),
  concept('category', 'strongman', ['strongman']),
  // levels, from the 0-10 fitness level
  concept('level', 'beginner', ['beginner']),
  concept('level', 'intermediate', ['intermediate']),
  concept('level', 'expert', ['advanced', 'expert']),
  // force and mechanics
  concept('force', 'push', ['push']),
  concept('force', 'pull', ['pull']),
  concept('force', 'static', ['hold', 'isometric'], ['static']),
  concept('mechanic', 'compound', ['compound']),
  concept('mechanic', 'isolation', ['isolation']),
  // movement patterns (recognised in names and text, not taxonomy values)
  concept('pattern', 'squat', ['squat'], []),
  concept('pattern', 'hinge', ['hinge', 'deadlift'], []),
  concept('pattern', 'lunge', ['lunge', 'split squat', 'step up'], []),
  concept('pattern', 'push-up', ['push up', 'pushup'], []),
  concept('pattern', 'press', ['press'], []),
  concept('pattern', 'row', ['row'], []),
  concept('pattern', 'pull-up', ['pull up', 'chin up', 'pulldown'], []),
  concept('pattern', 'curl', ['curl'], []),
  concept('pattern', 'extension', ['extension'], []),
  concept('pattern', 'raise', ['raise'], []),
  concept('pattern', 'fly', ['fly', 'flye'], []),
  concept('pattern', 'carry', ['carry', 'loaded carry'], []),
  concept('pattern', 'rotation', ['rotation', 'twist'], []),
  concept('pattern', 'anti-rotation', ['pallof', 'anti rotation'], []),
  concept('pattern', 'jump', ['jump', 'hop', 'bound'], []),
  concept('pattern', 'throw', ['throw', 'toss', 'slam'], []),
  concept('pattern', 'plank', ['plank', 'hold'], []),
  concept('pattern', 'bridge', ['bridge', 'hip thrust'], []),
  concept('pattern', 'shrug', ['shrug'], []),
  concept('pattern', 'crunch', ['crunch', 'sit up'], []),
  concept('pattern', 'dip', ['dip'], []),
  concept('pattern', 'swing', ['swing'], []),
  concept('pattern', 'olympic lift', ['snatch', 'clean', 'jerk'], []),
  concept('pattern', 'sprint', ['sprint', 'run'], []),
  concept('intensity', 'low intensity', ['gentle', 'low impact'], []),
  concept('intensity', 'high intensity', ['intense', 'high intensity'], []),
];

export const CONCEPT_INDEX: ReadonlyMap<string, number> = new Map(CONCEPTS.map((c, i) => [c.id, i]));

/** Taxonomy value (any field) -> concept id. */
const BY_VALUE = new Map<string, string>();
for (const c of CONCEPTS) for (const v of c.values) BY_VALUE.set(`${c.kind}:${v}`, c.id);

/** The concept a taxonomy value stands for, e.g. ('muscle', 'Chest') -> 'chest'. */
export function conceptForValue(kind: ConceptKind, value: string | null | undefined): string | undefined {
  if (kind === 'equipment' && (value == null || value.trim() === '')) return 'bodyweight';
  if (value == null) return undefined;
  return BY_VALUE.get(`${kind}:${value.trim().toLowerCase()}`);
}

/** Level words for the 0-10 scale: thirds, as the catalogue import maps them (2, 5, 8). */
export function levelConcept(level: number | null | undefined): 'beginner' | 'intermediate' | 'expert' | undefined {
  if (level == null) return undefined;
  if (level <= 3) return 'beginner';
  if (level <= 6) return 'intermediate';
  return 'expert';
}

export function intensityConcept(intensity: number | null | undefined): 'low intensity' | 'high intensity' | undefined {
  if (intensity == null) return undefined;
  if (intensity <= 3) return 'low intensity';
  if (intensity >= 7) return 'high intensity';
  return undefined;
}

type Weights = Record<string, number>;

/**
 * Everyday phrases and what they mean, as weighted concepts. Body regions spread over their
 * muscles ("legs" is mostly quads and hamstrings), level words lean to the neighbouring level
 * ("advanced" covers intermediate too). Each concept's own words are added automatically.
 */
const PHRASES: [terms: string[], weights: Weights][] = [
  // muscles by everyday names
  [['chest', 'pecs', 'pec', 'pectoral', 'pectorals', 'pectoralis', 'bust'], { chest: 1 }],
  [['upper chest', 'inner chest', 'lower chest'], { chest: 1 }],
  [['shoulder', 'shoulders', 'delts', 'delt', 'deltoid', 'deltoids', 'overhead', 'front delt', 'front delts', 'side delt', 'side delts', 'lateral delt', 'lateral delts', 'capped shoulders'], { shoulders: 1 }],
  [['rear delt', 'rear delts', 'rear deltoid'], { shoulders: 1, 'middle back': 0.3 }],
  [['rotator cuff', 'external rotation', 'internal rotation'], { shoulders: 1, rotation: 0.6 }],
  [['lats', 'lat', 'latissimus', 'latissimus dorsi', 'wings', 'v taper', 'wide back', 'wider back', 'back width'], { lats: 1 }],
  [['middle back', 'mid back', 'upper back', 'rhomboids', 'rhomboid', 'between shoulder blades', 'shoulder blades', 'shoulder blade', 'posture', 'back thickness'], { 'middle back': 1, traps: 0.4 }],
  [['lower back', 'low back', 'lumbar', 'erectors', 'spinal erectors', 'erector spinae'], { 'lower back': 1 }],
  [['traps', 'trap', 'trapezius', 'upper traps'], { traps: 1 }],
  [['biceps', 'bicep', 'bis', 'guns', 'brachialis'], { biceps: 1 }],
  [['triceps', 'tricep', 'tris', 'back of arm', 'back of arms', 'back of upper arm', 'bingo wings'], { triceps: 1 }],
  [['forearm', 'forearms', 'grip', 'wrist', 'wrists', 'hand strength', 'grip strength', 'crushing grip', 'carpal'], { forearms: 1 }],
  [['abs', 'ab', 'abdominals', 'abdominal', 'core', 'six pack', 'stomach', 'belly', 'midsection', 'obliques', 'oblique', 'waist', 'love handles', 'tummy', 'gut', 'midriff', 'pilates', 'serratus'], { abdominals: 1 }],
  [['core stability', 'trunk'], { abdominals: 1, 'lower back': 0.4 }],
  [['quads', 'quad', 'quadriceps', 'front of thigh', 'front of thighs', 'front of leg', 'front of legs'], { quadriceps: 1 }],
  [['hip flexor', 'hip flexors', 'psoas'], { quadriceps: 0.8, glutes: 0.2 }],
  [['hamstrings', 'hamstring', 'hammies', 'back of thigh', 'back of thighs', 'back of leg', 'back of legs'], { hamstrings: 1, calves: 0.3 }],
  [['glutes', 'glute', 'gluteus', 'butt', 'booty', 'bum', 'buttocks', 'backside', 'glute max'], { glutes: 1 }],
  [['calves', 'calf', 'lower leg', 'lower legs', 'shin', 'shins', 'ankle', 'ankles', 'achilles'], { calves: 1 }],
  [['adductors', 'adductor', 'inner thigh', 'inner thighs', 'groin'], { adductors: 1 }],
  [['abductors', 'abductor', 'outer hip', 'outer hips', 'outer thigh', 'outer thighs', 'side glute', 'side glutes', 'glute medius', 'hip abductor', 'hip abductors'], { abductors: 1, glutes: 0.3 }],
  [['neck', 'cervical', 'headgear'], { neck: 1 }],
  // body regions
  [['leg', 'legs', 'lower body', 'leg day', 'thigh', 'thighs'], { quadriceps: 0.8, hamstrings: 0.7, glutes: 0.6, calves: 0.4, adductors: 0.3, abductors: 0.3 }],
  [['hip', 'hips'], { glutes: 0.8, adductors: 0.6, abductors: 0.6, quadriceps: 0.3 }],
  [['knee', 'knees'], { quadriceps: 0.8, hamstrings: 0.5, calves: 0.3 }],
  [['arm', 'arms', 'upper arm', 'upper arms'], { biceps: 0.8, triceps: 0.8, forearms: 0.3 }],
  [['back'], { lats: 0.8, 'middle back': 0.8, 'lower back': 0.5, traps: 0.3 }],
  [['upper body'], { chest: 0.7, shoulders: 0.7, lats: 0.5, triceps: 0.5, biceps: 0.4, 'middle back': 0.4 }],
  [['full body', 'total body', 'whole body'], { compound: 0.8, quadriceps: 0.3, shoulders: 0.3, hamstrings: 0.2 }],
  [['posterior chain'], { hamstrings: 0.8, glutes: 0.8, 'lower back': 0.8, hinge: 0.5 }],
  // equipment by everyday names
  [['barbell', 'barbells', 'straight bar', 'olympic bar', 'bar', 'landmine', 'trap bar', 'hex bar', 'plates'], { barbell: 1 }],
  [['dumbbell', 'dumbbells', 'db', 'dbs', 'hand weights', 'free weights'], { dumbbell: 1 }],
  [['kettlebell', 'kettlebells', 'kb', 'bell'], { kettlebells: 1 }],
  [['cable', 'cables', 'pulley', 'cable station', 'cable stack', 'cable machine', 'cable tower', 'crossover machine', 'functional trainer', 'lat machine'], { cable: 1 }],
  [['machine', 'machines', 'smith machine', 'leverage', 'selectorized'], { machine: 1 }],
  [['band', 'bands', 'resistance band', 'resistance bands', 'mini band', 'loop band', 'tubing', 'elastic', 'theraband', 'exercise band'], { bands: 1 }],
  [['medicine ball', 'med ball', 'medball', 'slam ball', 'wall ball'], { 'medicine ball': 1 }],
  [['exercise ball', 'stability ball', 'swiss ball', 'physio ball', 'yoga ball', 'balance ball', 'fitball'], { 'exercise ball': 1 }],
  [['foam roll', 'foam roller', 'foam rolling', 'roller', 'rolling', 'smr', 'self myofascial', 'myofascial release', 'self massage', 'lacrosse ball', 'massage ball', 'trigger point'], { 'foam roll': 1 }],
  [['sore', 'soreness', 'sore muscles', 'recovery', 'recover'], { 'foam roll': 0.5, stretching: 0.5 }],
  [['ez bar', 'e z bar', 'ez curl bar', 'e z curl bar', 'curl bar', 'zig zag bar', 'zigzag bar', 'zig zag curl bar', 'cambered bar'], { 'e-z curl bar': 1 }],
  [['bodyweight', 'body weight', 'body only', 'calisthenics', 'no equipment', 'equipment free', 'no gear', 'without equipment', 'at home', 'home', 'living room', 'bedroom', 'hotel room', 'apartment', 'dorm', 'anywhere', 'no gym', 'without a gym', 'own body', 'bodyweight only'], { bodyweight: 1 }],
  [['travel', 'travel friendly', 'on the road', 'portable'], { bands: 0.4, bodyweight: 0.4 }],
  // categories
  [['strength', 'strengthen', 'strengthening', 'stronger', 'strong', 'build', 'builder', 'building', 'muscle', 'muscles', 'hypertrophy', 'mass', 'size', 'thicker', 'bigger', 'tone', 'toning', 'lift', 'lifts', 'lifting', 'weights'], { strength: 0.6 }],
  [['stretch', 'stretches', 'stretching', 'flexibility', 'flexible', 'mobility', 'loosen', 'loosen up', 'open up', 'tight', 'tightness', 'stiff', 'stiffness', 'cool down', 'cooldown', 'limber', 'range of motion', 'yoga', 'rest day', 'desk', 'stretched', 'unwind', 'relax', 'release'], { stretching: 1 }],
  [['warm up', 'warmup', 'warming up'], { stretching: 0.8, beginner: 0.3, 'low intensity': 0.4 }],
  [['plyometric', 'plyometrics', 'plyo', 'explosive', 'explosiveness', 'power', 'jump training', 'vertical', 'vertical jump', 'athletic', 'reactive', 'speed', 'agility', 'quickness', 'burpee', 'burpees'], { plyometrics: 1, 'olympic weightlifting': 0.3 }],
  [['cardio', 'cardiovascular', 'conditioning', 'aerobic', 'endurance', 'stamina', 'heart rate', 'heart pumping', 'sweat', 'hiit', 'fat burning', 'fat burn', 'calorie', 'calories', 'jog', 'jogging', 'treadmill', 'elliptical', 'cycling', 'bike', 'stairmaster', 'rowing machine', 'jump rope', 'skipping', 'metcon', 'circuit', 'battle rope', 'battle ropes', 'air bike', 'stair climber', 'breathless'], { cardio: 1 }],
  [['low impact', 'joint friendly', 'easy on the joints', 'knee friendly', 'no jumping', 'quiet'], { 'low intensity': 1, cardio: 0.3, beginner: 0.4 }],
  [['powerlifting', 'powerlifter', 'powerlift', 'one rep max', '1rm', 'max effort', 'chains', 'chain', 'board press', 'box squat', 'big three', 'reverse band', 'speed work', 'dynamic effort', 'lockout'], { powerlifting: 1 }],
  [['olympic', 'olympic lifting', 'olympic weightlifting', 'weightlifting', 'snatch', 'clean', 'jerk', 'clean and jerk', 'power clean', 'hang clean', 'triple extension', 'oly', 'split jerk', 'push jerk'], { 'olympic weightlifting': 1, 'olympic lift': 0.8 }],
  [['strongman', 'odd object', 'odd objects', 'stone', 'stones', 'atlas stone', 'keg', 'kegs', 'log press', 'yoke', 'tire', 'tire flip', 'sandbag', 'sled', 'sled drag', 'sled push', 'loaded carry', 'loaded carries', 'axle', 'circus dumbbell', 'conan wheel', 'truck pull', 'husafell'], { strongman: 1 }],
  // levels and intensity
  [['beginner', 'beginners', 'novice', 'newbie', 'first timer', 'first time', 'never lifted', 'new to', 'just starting', 'starting out', 'getting started', 'easy', 'easier', 'simple', 'basic', 'basics', 'gentle', 'entry level', 'untrained', 'out of shape', 'deconditioned', 'senior', 'seniors', 'elderly', 'older adult'], { beginner: 1, intermediate: 0.2 }],
  [['intermediate', 'moderate', 'next level', 'progress', 'progression'], { intermediate: 1, expert: 0.3 }],
  [['advanced', 'expert', 'experienced', 'hard', 'harder', 'difficult', 'challenge', 'challenging', 'elite', 'veteran', 'pro', 'seasoned', 'tough', 'toughest', 'demanding'], { expert: 1, intermediate: 0.5 }],
  [['intense', 'high intensity', 'brutal', 'killer', 'fast', 'quick'], { 'high intensity': 0.6 }],
  // force and mechanics
  [['push', 'pushing', 'push day'], { push: 1 }],
  [['pull', 'pulling', 'pull day', 'pulls'], { pull: 1 }],
  [['isometric', 'isometrics', 'static', 'hold', 'holds', 'holding', 'stability', 'anti extension', 'time under tension', 'pause', 'paused'], { static: 1 }],
  [['compound', 'multi joint', 'big lifts'], { compound: 1 }],
  [['isolation', 'single joint', 'isolate'], { isolation: 1 }],
  // movement patterns
  [['squat', 'squats', 'squatting'], { squat: 1 }],
  [['hinge', 'hip hinge', 'deadlift', 'deadlifts', 'good morning', 'good mornings', 'rdl', 'rdls', 'romanian deadlift', 'stiff leg', 'stiff legged', 'pull through', 'back extension', 'hyperextension'], { hinge: 1 }],
  [['from the floor', 'off the floor'], { hinge: 0.5, pull: 0.5 }],
  [['lunge', 'lunges', 'split squat', 'split squats', 'step up', 'step ups', 'stepup', 'single leg', 'unilateral', 'one leg', 'bulgarian', 'pistol', 'skater'], { lunge: 1 }],
  [['push up', 'push ups', 'pushup', 'pushups', 'press up', 'press ups'], { 'push-up': 1, push: 0.5, chest: 0.4 }],
  [['press', 'presses', 'bench press', 'overhead press', 'military press'], { press: 1, push: 0.5 }],
  [['row', 'rows', 'rowing'], { row: 1, pull: 0.5 }],
  [['pull up', 'pull ups', 'pullup', 'pullups', 'chin up', 'chin ups', 'chinup', 'pulldown', 'pulldowns', 'pull down'], { 'pull-up': 1, pull: 0.5, lats: 0.4 }],
  [['curl', 'curls', 'curling'], { curl: 1 }],
  [['extension', 'extensions', 'skull crusher', 'skullcrusher', 'kickback', 'kickbacks', 'pushdown', 'pushdowns'], { extension: 1 }],
  [['raise', 'raises', 'lateral raise', 'front raise'], { raise: 1 }],
  [['fly', 'flys', 'flies', 'flye', 'flyes', 'crossover'], { fly: 1 }],
  [['carry', 'carries', 'carrying', 'suitcase carry', 'waiter walk'], { carry: 1 }],
  [['farmer', 'farmer walk', 'farmers walk', 'farmer carry'], { carry: 1, strongman: 1 }],
  [['rotation', 'rotational', 'rotate', 'twist', 'twists', 'twisting', 'woodchop', 'woodchopper', 'wood chop', 'russian twist'], { rotation: 1 }],
  [['anti rotation', 'pallof'], { 'anti-rotation': 1, abdominals: 0.5 }],
  [['jump', 'jumps', 'jumping', 'hop', 'hops', 'hopping', 'bound', 'bounds', 'bounding', 'leap', 'leaps', 'box jump'], { jump: 1, plyometrics: 0.5 }],
  [['throw', 'throws', 'throwing', 'toss', 'tosses', 'slam', 'slams', 'punch', 'punching', 'punches', 'chest pass'], { throw: 1 }],
  [['plank', 'planks', 'hollow hold', 'wall sit', 'l sit'], { plank: 1, static: 0.6 }],
  [['bridge', 'bridges', 'glute bridge', 'hip thrust', 'hip thrusts', 'hip raise'], { bridge: 1, glutes: 0.5 }],
  [['shrug', 'shrugs'], { shrug: 1, traps: 0.5 }],
  [['crunch', 'crunches', 'sit up', 'sit ups', 'situp', 'leg raise', 'leg raises', 'knee raise', 'v up'], { crunch: 1, abdominals: 0.5 }],
  [['dip', 'dips', 'dip station', 'parallel bars'], { dip: 1, push: 0.5 }],
  [['swing', 'swings', 'kettlebell swing'], { swing: 1, hinge: 0.5 }],
  [['sprint', 'sprints', 'sprinting', 'run', 'running', 'shuttle'], { sprint: 1 }],
];

export interface ConceptMatch {
  concept: string;
  weight: number;
  /** Token positions [start, end) in the tokenized text. */
  start: number;
  end: number;
}

/** Fillers skipped inside phrases so "back of my thighs" matches "back of thigh". */
const FILLERS = new Set(['my', 'your', 'the', 'a', 'an', 'his', 'her', 'their', 'our', 'any', 'some']);

interface Phrase {
  stems: string[];
  weights: Weights;
}

function compilePhrases(): Map<string, Phrase[]> {
  const all: Phrase[] = [];
  const seen = new Set<string>();
  const add = (term: string, weights: Weights) => {
    const s = tokenize(term)
      .filter((t) => !FILLERS.has(t))
      .map(stem);
    const key = `${s.join(' ')}|${JSON.stringify(weights)}`;
    if (s.length === 0 || seen.has(key)) return;
    seen.add(key);
    all.push({ stems: s, weights });
  };
  for (const [terms, weights] of PHRASES) for (const t of terms) add(t, weights);
  for (const c of CONCEPTS) for (const w of [c.id, ...c.words]) if (!PHRASE_TERMS.has(stemKey(w))) add(w, { [c.id]: 1 });
  const byFirst = new Map<string, Phrase[]>();
  for (const p of all) {
    const list = byFirst.get(p.stems[0]!) ?? [];
    list.push(p);
    byFirst.set(p.stems[0]!, list);
  }
  // longest phrase first, so "cable machine" wins over "cable" and "machine"
  for (const list of byFirst.values()) list.sort((a, b) => b.stems.length - a.stems.length);
  return byFirst;
}

function stemKey(term: string): string {
  return tokenize(term)
    .filter((t) => !FILLERS.has(t))
    .map(stem)
    .join(' ');
}

const PHRASE_TERMS = new Set(PHRASES.flatMap(([terms]) => terms.map(stemKey)));
const PHRASES_BY_FIRST = compilePhrases();

const NEGATORS = new Set(['no', 'without', 'zero', 'minus', 'sans', 'non']);
/** Words that stand for "equipment" in general after a negation: "without a bench or any gym gear". */
const GEAR_WORDS = new Set(['equipment', 'gear', 'weight', 'gym', 'bench', 'machine', 'tool', 'kit', 'prop', 'dumbbell', 'barbell']);
const LEVEL_RAISERS = new Set(['past', 'beyond', 'after', 'not', 'outgrown', 'graduated', 'longer']);

/** Stems with fillers removed, and the original token index of each. */
function phraseTokens(text: string): { stems: string[]; at: number[] } {
  const tokens = tokenize(text);
  const out: string[] = [];
  const at: number[] = [];
  tokens.forEach((t, i) => {
    if (FILLERS.has(t)) return;
    out.push(stem(t));
    at.push(i);
  });
  return { stems: out, at };
}

/**
 * Finds vocabulary phrases in a text, longest first and without overlaps, then applies two
 * general rules of phrasing: a negation followed by equipment words means no equipment
 * ("without a bench or any gym gear"), and a beginner word after "past/beyond/not" means the
 * next level up ("past the beginner stage").
 */
export function matchConcepts(text: string): ConceptMatch[] {
  const { stems: s } = phraseTokens(text);
  const matches: ConceptMatch[] = [];
  let i = 0;
  while (i < s.length) {
    const candidates = PHRASES_BY_FIRST.get(s[i]!) ?? [];
    const hit = candidates.find((p) => p.stems.every((w, k) => s[i + k] === w));
    if (!hit) {
      i += 1;
      continue;
    }
    for (const [concept, weight] of Object.entries(hit.weights)) matches.push({ concept, weight, start: i, end: i + hit.stems.length });
    i += hit.stems.length;
  }
  return applyLevelRaisers(s, applyNegations(s, matches));
}

const EQUIPMENT_IDS = new Set(CONCEPTS.filter((c) => c.kind === 'equipment').map((c) => c.id));

function applyNegations(s: string[], matches: ConceptMatch[]): ConceptMatch[] {
  let out = matches;
  s.forEach((word, i) => {
    if (!NEGATORS.has(word)) return;
    const end = Math.min(s.length, i + 7);
    const window = (m: ConceptMatch) => m.start > i && m.start < end;
    const gearWord = s.slice(i + 1, end).some((w) => GEAR_WORDS.has(w));
    const gearMatch = out.some((m) => window(m) && EQUIPMENT_IDS.has(m.concept) && m.concept !== 'bodyweight');
    if (!gearWord && !gearMatch) return;
    out = out.filter((m) => !(window(m) && EQUIPMENT_IDS.has(m.concept)));
    if (!out.some((m) => m.concept === 'bodyweight')) out.push({ concept: 'bodyweight', weight: 1, start: i, end });
  });
  return out;
}

function applyLevelRaisers(s: string[], matches: ConceptMatch[]): ConceptMatch[] {
  return matches.flatMap((m) => {
    if (m.concept !== 'beginner' && !(m.concept === 'intermediate' && s[m.start] === 'beginner')) return [m];
    const before = s.slice(Math.max(0, m.start - 3), m.start);
    if (!before.some((w) => LEVEL_RAISERS.has(w))) return [m];
    if (m.concept === 'intermediate') return [];
    return [
      { ...m, concept: 'intermediate', weight: 1 },
      { ...m, concept: 'expert', weight: 0.4 },
    ];
  });
}

/** Sums matched weights per concept (a concept named twice counts once, at its strongest). */
export function conceptWeights(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of matchConcepts(text)) out.set(m.concept, Math.max(out.get(m.concept) ?? 0, m.weight));
  return out;
}

const BY_ID = new Map(CONCEPTS.map((c) => [c.id, c]));

export function getConcept(id: string): Concept | undefined {
  return BY_ID.get(id);
}

/**
 * Words to add to a full-text query for the concepts a user named: the canonical words of each
 * concept matched at full strength ("pecs" -> chest pec pectoral). Spread-out region weights
 * (legs -> calves 0.4) are left to the vector side, which can weigh them.
 */
export function expansionWords(text: string, minWeight = 0.75): string[] {
  const words = new Set<string>();
  for (const [id, weight] of conceptWeights(text)) {
    if (weight < minWeight) continue;
    const c = BY_ID.get(id);
    if (!c || c.kind === 'level' || c.kind === 'intensity') continue;
    for (const w of [...c.values.filter((v) => v !== 'none' && v !== 'body only'), ...c.words]) words.add(w);
  }
  return [...words];
}

/** Synonyms to write into an exercise's document for its taxonomy values, so everyday words find it. */
export function taxonomySynonyms(values: { kind: ConceptKind; value: string | null | undefined }[]): string[] {
  const words = new Set<string>();
  for (const { kind, value } of values) {
    const id = conceptForValue(kind, value);
    const c = id ? BY_ID.get(id) : undefined;
    if (c) for (const w of c.words) words.add(w);
  }
  return [...words];
}

/** The main movement pattern named in an exercise name ("Dumbbell Walking Lunge" -> lunge), if any. */
export function movementPattern(name: string): string | undefined {
  const match = matchConcepts(name).find((m) => m.weight >= 1 && BY_ID.get(m.concept)?.kind === 'pattern');
  return match?.concept;
}

/** Phrases that stem to the same words but mean different things (a vocabulary mistake; tested to be none). */
export function vocabularyConflicts(): string[] {
  const meaning = new Map<string, string>();
  const conflicts: string[] = [];
  for (const [terms, weights] of PHRASES) {
    for (const term of terms) {
      const key = stemKey(term);
      const value = JSON.stringify(weights);
      const seen = meaning.get(key);
      if (seen !== undefined && seen !== value) conflicts.push(`${term} (${key})`);
      meaning.set(key, value);
    }
  }
  return conflicts;
}
