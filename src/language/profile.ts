/**
 * The exercise profile: what doing an exercise asks of a body and a room, derived from the row's
 * own words and tags (name, instructions, category, equipment, muscles, force). Pure, and the
 * same rules for every row, so a search can weigh "seated", "no jumping" or "easy on the knees"
 * against any library, including rows a pipeline wrote.
 *
 * The name says most and is read first; the opening of the instructions (where the set-up
 * position is described) fills in what the name leaves out. Loads are coarse on purpose
 * (0 none or light, 1 moderate, 2 high): they rank, they do not prescribe.
 */
export const POSITIONS = ['standing', 'seated', 'lying', 'kneeling', 'hanging'] as const;
export type BodyPosition = (typeof POSITIONS)[number];

export const PATTERNS = ['squat', 'hinge', 'lunge', 'push', 'pull', 'carry', 'rotate', 'brace', 'locomotion', 'mobility'] as const;
export type MovementPattern = (typeof PATTERNS)[number];

export const JOINTS = ['knees', 'spine', 'wrists', 'shoulders'] as const;
export type Joint = (typeof JOINTS)[number];
export type Load = 0 | 1 | 2;

export interface ExerciseProfile {
  position: BodyPosition | null;
  /** Done on the floor (lying, kneeling, hands on the ground): hard for someone who cannot get down. */
  floor: boolean;
  impact: 'jumping' | 'none';
  load: Record<Joint, Load>;
  /** Needs room to travel (runs, walks, crawls, sled work, walking lunges). */
  space: 'small' | 'large';
  noise: 'quiet' | 'loud';
  balance: boolean;
  singleSide: boolean;
  explosive: boolean;
  rotational: boolean;
  grip: boolean;
  carry: boolean;
  patterns: MovementPattern[];
}

export interface ProfileSource {
  exercise_name: string;
  how_to?: string | null;
  category?: string | null;
  equipment?: string | null;
  primary_muscles?: readonly string[] | null;
  secondary_muscles?: readonly string[] | null;
  force?: string | null;
}

/** Name words for each body position, most specific first (a "seated leg raise on a bench" is seated). */
const NAME_POSITION: [BodyPosition, RegExp][] = [
  ['hanging', /\bhang(ing)?\b|\bpull-?ups?\b|\bchin-?ups?\b|\bmuscle-?ups?\b|\btoes[- ]to[- ]bar\b/],
  ['kneeling', /\bkneeling\b|\bhalf-kneeling\b|\ball fours\b|\bquadruped\b|\bbird dog\b|\bcat\b|\bchild'?s pose\b|\bon knees\b/],
  ['seated', /\bseated\b|\bsitting\b|\bsit\b(?!-?ups?)|\bchair\b|\bbutterfly\b/],
  ['lying', /\blying\b|\bsupine\b|\bprone\b|\bfloor press\b|\bbench press\b|\bcrunch(es)?\b|\bsit-?ups?\b|\bglute bridge\b|\bbridge\b|\bhip thrust\b|\bdead bug\b|\bpullover\b|\bskull ?crusher\b|\bsuperman\b|\bflutter kick\b|\bscissor\b|\bv-?ups?\b|\bjackknife\b|\bside plank\b|\bplank\b|\bpush-?ups?\b|\bmountain climber\b/],
  ['standing', /\bstanding\b|\bstand\b/],
];
/** Set-up words in the instructions. */
const TEXT_POSITION: [BodyPosition, RegExp][] = [
  ['hanging', /\bhang (from|onto)\b|\bdead hang\b|\bhanging from\b/],
  ['kneeling', /\bkneel|\bon (your|all) (hands and knees|fours)\b|\bget on your knees\b/],
  ['lying', /\blie (down|flat|back|face|on)\b|\blay (down|flat|on)\b|\blying (down|flat|on|face)\b|\bon your back\b|\bface down\b|\bsupine\b|\bprone\b|\bplank position\b|\bpush-?up position\b/],
  ['seated', /\bsit (down|on|upright|in|with|tall|at)\b|\bseated\b|\bsitting\b|\bseat yourself\b/],
  ['standing', /\bstand\b|\bstanding\b|\bfeet (shoulder|hip)[- ]width\b/],
];

const JUMPING = /\bjump|\bhop(s|ping)?\b|\bbounds?\b|\bbounding\b|\bburpees?\b|\bplyo|\bskip(s|ping)?\b|\bleaps?\b|\bjacks?\b|\bskater\b|\btuck jump|\bdepth\b|\bsprint/;
const EXPLOSIVE = /\bclean\b|\bsnatch\b|\bjerk\b|\bswings?\b|\bthrows?\b|\bslams?\b|\btoss\b|\bexplosive|\bpower\b|\bpush press\b|\bspeed\b|\bchest pass\b|\bmedicine ball (throw|slam)/;
const NOISY = /\bslams?\b|\bthrows?\b|\btoss\b|\bdrop\b|\btire\b|\bsledge/;
const ROTATIONAL = /(?<!(external|internal) )\brotat(?!or)|\btwist|\bchop|\brussian\b|\bwindmill|\baround the worlds?\b|\bwoodchop|\bspeed bag\b|\bcorkscrew\b|\bside to side\b/;
const BALANCE = /\bsingle[- ]leg|\bone[- ]leg|\bpistol\b|\bbosu\b|\bon one (foot|leg)\b|\bbalance\b|\bstability\b|\bunilateral\b|\bstep-?ups?\b|\bbulgarian\b/;
const SINGLE_SIDE = /\bsingle[- ](arm|leg)|\bone[- ](arm|leg|hand)|\bunilateral\b|\balternat|\blunges?\b|\bsplit squat\b|\bstep-?ups?\b|\bpistol\b|\bside plank\b|\bbulgarian\b|\bsuitcase\b|\bcurtsy\b/;
const CARRY = /\bcarry|\bfarmer|\bwalk\b.*\b(dumbbell|kettlebell|weight|bag)|\byoke\b|\bsuitcase\b|\bwaiter\b|\bsandbag\b|\bkeg\b|\bstone\b|\bhusafell\b|\bconan\b/;
const GRIP = /\bgrip\b|\bwrist\b|\bfarmer|\bcarry|\bhang|\bpull-?ups?\b|\bchin-?ups?\b|\bdeadlift|\bshrug|\bpinch\b|\btowel\b|\brope climb\b|\broller\b|\bfinger/;
const TRAVELS = /\bwalk(ing)?\b|\brun(ning)?\b|\bsprint|\bjog|\bcrawl|\bsled\b|\bprowler\b|\bbounds?\b|\bbounding\b|\bshuttle\b|\bcarry|\bfarmer|\byoke\b|\bskip(ping)?\b|\bstairs?\b|\bhurdle/;

const PATTERN_RULES: [MovementPattern, RegExp][] = [
  ['squat', /\bsquat|\bleg press\b|\bwall sit\b|\bsit-to-stand\b|\bthruster\b|\bhack\b|\bsissy\b/],
  ['hinge', /\bdeadlift|\bgood ?mornings?\b|\bswings?\b|\bhip thrust|\bbridge\b|\bromanian\b|\brdl\b|\bhyperextension|\bback extension|\bpull[- ]through|\bclean\b|\bsnatch\b|\bstiff[- ]leg|\bglute ham\b|\breverse hyper/],
  ['lunge', /\blunges?\b|\bsplit squat\b|\bstep-?ups?\b|\bbulgarian\b|\bpistol\b|\bcurtsy\b|\bsplit jump\b/],
  ['push', /\bpress\b|\bpush-?ups?\b|\bdips?\b|\bpushdown|\bfly\b|\bflyes?\b|\bskull ?crusher|\bextension\b|\bkickback|\bthrust|\bjerk\b|\bchest pass\b|\bpush\b/],
  ['pull', /\brows?\b|\bpull-?ups?\b|\bchin-?ups?\b|\bpulldown|\bpull\b|\bcurl|\bshrug|\bface pull\b|\bpullover\b|\brope climb\b|\brear delt\b|\breverse fly/],
  ['carry', CARRY],
  ['rotate', ROTATIONAL],
  ['brace', /\bplank|\bhollow\b|\bdead bug\b|\bbird dog\b|\bpallof\b|\brollout|\bab wheel\b|\bl-?sit\b|\banti[- ]rotation\b|\bhold\b|\bsuperman\b/],
  ['locomotion', /\bwalk(ing)?\b|\brun(ning)?\b|\bsprint|\bjog|\bcrawl|\bsled\b|\bprowler\b|\bskip(ping)?\b|\bstairs?\b|\bstair ?master\b|\bclimb|\browing machine\b|\bbicycling\b|\bcycling\b|\belliptical\b|\btrail\b|\bjumping jack/],
  ['mobility', /\bstretch|\bmobility\b|\bcircles?\b|\bfoam roll|\bsmr\b|\brolling\b|\bpose\b|\byoga\b|\bcat\b|\btwist\b.*\bstretch/],
];

const UPPER_PUSH = new Set(['chest', 'shoulders', 'triceps']);
const UPPER_PULL = new Set(['lats', 'middle back', 'biceps', 'traps', 'forearms']);

function positionOf(name: string, opening: string): BodyPosition | null {
  for (const [p, re] of NAME_POSITION) if (re.test(name)) return p;
  // The earliest set-up word of the opening wins: "stand ... then lie" is a standing start.
  let best: { p: BodyPosition; at: number } | null = null;
  for (const [p, re] of TEXT_POSITION) {
    const m = re.exec(opening);
    if (m && (!best || m.index < best.at)) best = { p, at: m.index };
  }
  return best?.p ?? null;
}

export function exerciseProfile(row: ProfileSource): ExerciseProfile {
  const name = row.exercise_name.toLowerCase().replace(/_/g, ' ');
  const text = (row.how_to ?? '').toLowerCase();
  const opening = text.slice(0, 400);
  const category = (row.category ?? '').toLowerCase();
  const equipment = (row.equipment ?? '').toLowerCase();
  const primary = (row.primary_muscles ?? []).map((m) => m.toLowerCase());
  const muscles = [...primary, ...(row.secondary_muscles ?? []).map((m) => m.toLowerCase())];
  const stretch = category === 'stretching' || equipment === 'foam roll';
  const both = `${name} ${opening}`;

  const position = positionOf(name, opening);
  const jumping = category === 'plyometrics' || JUMPING.test(name) || /\bjump (up|as high|onto|into|off)|\bexplode (up )?off the (ground|floor)/.test(text);
  const explosive = jumping || category === 'olympic weightlifting' || EXPLOSIVE.test(name);
  const patterns = new Set<MovementPattern>();
  for (const [p, re] of PATTERN_RULES) if (re.test(name)) patterns.add(p);
  if (stretch) patterns.add('mobility');
  if (category === 'cardio' && !stretch) patterns.add('locomotion');
  if (!patterns.has('push') && !patterns.has('pull') && row.force) {
    // The catalogue's force only says push or pull for upper-body work; lower-body pushes are squats and lunges already.
    if (row.force === 'push' && primary.some((m) => UPPER_PUSH.has(m))) patterns.add('push');
    if (row.force === 'pull' && primary.some((m) => UPPER_PULL.has(m))) patterns.add('pull');
  }
  if (row.force === 'static' && primary.includes('abdominals') && !stretch) patterns.add('brace');

  const kneeBend = patterns.has('squat') || patterns.has('lunge') || /\bleg extension|\bsissy\b|\bpistol\b|\bdeep knee\b/.test(name);
  const heavy = equipment === 'barbell' || category === 'powerlifting' || category === 'strongman' || category === 'olympic weightlifting';
  const overhead = /\boverhead\b|\bmilitary\b|\bshoulder press\b|\bpush press\b|\bjerk\b|\bsnatch\b|\bhandstand\b|\barnold\b|\bbehind the neck\b|\bupright row\b|\bdips?\b|\bpull-?ups?\b|\bchin-?ups?\b|\bmuscle-?ups?\b/.test(name);
  const handsDown = /\bpush-?ups?\b|\bplank|\bhandstand\b|\bcrawl|\bburpees?\b|\bmountain climber|\bwheelbarrow\b|\bbear\b|\bdips?\b|\bcat\b|\bbird dog\b|\bon (your )?(hands and knees|all fours)\b|\bquadruped\b/.test(both);
  const load: Record<Joint, Load> = {
    knees: jumping || (kneeBend && heavy) ? 2 : kneeBend || primary.includes('quadriceps') ? 1 : 0,
    spine:
      (heavy && (patterns.has('squat') || patterns.has('hinge') || /\bbent[- ]over\b|\bgood ?morning|\bstanding\b.*\bpress\b|\bmilitary\b|\bclean\b|\bsnatch\b|\bjerk\b/.test(name))) ||
      /\bdeadlift|\bgood ?mornings?\b|\bstone\b|\byoke\b|\btire\b|\bkeg\b/.test(name)
        ? 2
        : patterns.has('hinge') || primary.includes('lower back') || /\bbent[- ]over\b|\bsit-?ups?\b|\bcrunch|\btwist|\bjackknife\b|\bv-?ups?\b/.test(name)
          ? 1
          : 0,
    wrists: handsDown || /\bfront squat\b|\bclean\b|\bsnatch\b/.test(name) ? 2 : /\bwrist\b|\bcurl\b/.test(name) && heavy ? 1 : 0,
    shoulders: overhead ? 2 : patterns.has('push') && muscles.some((m) => UPPER_PUSH.has(m)) ? 1 : 0,
  };
  const floor = position === 'lying' || position === 'kneeling' || handsDown || /\bon the floor\b|\bon the ground\b|\bon a mat\b/.test(opening);
  const travels = TRAVELS.test(name);
  return {
    position,
    floor,
    impact: jumping ? 'jumping' : 'none',
    load,
    space: travels ? 'large' : 'small',
    noise: jumping || NOISY.test(name) ? 'loud' : 'quiet',
    balance: BALANCE.test(name) || equipment === 'exercise ball',
    singleSide: SINGLE_SIDE.test(name),
    explosive,
    rotational: patterns.has('rotate'),
    grip: GRIP.test(name) || primary.includes('forearms') || patterns.has('carry'),
    carry: patterns.has('carry'),
    patterns: PATTERNS.filter((p) => patterns.has(p)),
  };
}

/**
 * The profile as flat tags ("position:seated", "load:knees:2", "impact:jumping", "pattern:carry"),
 * the form query preferences are stated in.
 */
export function profileTags(p: ExerciseProfile): Set<string> {
  const tags = new Set<string>([`impact:${p.impact}`, `space:${p.space}`, `noise:${p.noise}`]);
  if (p.position) tags.add(`position:${p.position}`);
  if (p.floor) tags.add('floor');
  for (const j of JOINTS) tags.add(`load:${j}:${p.load[j]}`);
  for (const flag of ['balance', 'singleSide', 'explosive', 'rotational', 'grip', 'carry'] as const) if (p[flag]) tags.add(flag);
  for (const pattern of p.patterns) tags.add(`pattern:${pattern}`);
  return tags;
}
