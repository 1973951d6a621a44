/**
 * A large synthetic library built around the catalogue, for measuring the large-library ranking
 * path: each synthetic row takes a catalogue exercise and varies it (two name modifiers, often
 * another piece of equipment named in its name, another level, a reshuffled and partly swapped
 * set of instructions, other secondary muscles), so rows are related to the catalogue without
 * being near-copies of it. Deterministic (seeded).
 */
import type { CatalogueEntry } from '../src/services/catalogue.js';
import { seededRandom } from './judgments.js';

const MODIFIERS = [
  'Paused', 'Tempo', 'Single-Arm', 'Alternating', 'Deficit', 'Kneeling', 'Standing', 'Seated', 'Incline', 'Decline',
  'Wide-Grip', 'Close-Grip', 'Reverse-Grip', 'Half', 'Slow', 'Offset', 'Staggered', 'Pulse', 'Tall', 'Split-Stance',
  'Elevated', 'Supported', 'Eccentric', 'Partial', 'Long-Lever', 'Crossbody', 'Iso', 'Rhythmic', 'Lateral', 'Reactive',
];
const EQUIPMENT: Record<string, string> = {
  barbell: 'Barbell',
  dumbbell: 'Dumbbell',
  kettlebells: 'Kettlebell',
  cable: 'Cable',
  machine: 'Machine',
  bands: 'Band',
  'medicine ball': 'Medicine Ball',
  'exercise ball': 'Stability Ball',
  'e-z curl bar': 'EZ-Bar',
  'body only': 'Bodyweight',
};
const EQUIPMENT_WORDS = /\b(barbell|dumbbells?|kettlebells?|cable|machine|bands?|medicine ball|stability ball|exercise ball|ez[- ]bar|e-z bar|bodyweight)\b\s*/gi;
const LEVELS = ['beginner', 'intermediate', 'expert'] as const;
const MUSCLES = [
  'abdominals', 'abductors', 'adductors', 'biceps', 'calves', 'chest', 'forearms', 'glutes', 'hamstrings',
  'lats', 'lower back', 'middle back', 'neck', 'quadriceps', 'shoulders', 'traps', 'triceps',
];

export function syntheticLibrary(catalogue: readonly CatalogueEntry[], total: number, seed = 7): CatalogueEntry[] {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const names = new Set(catalogue.map((e) => e.name));
  const out: CatalogueEntry[] = [];
  for (let i = 0; out.length < total - catalogue.length; i++) {
    const base = pick(catalogue);
    const first = pick(MODIFIERS);
    let second = pick(MODIFIERS);
    while (second === first) second = pick(MODIFIERS);
    let equipment = base.equipment ?? null;
    let core = base.name;
    if (base.category !== 'stretching' && random() < 0.4) {
      equipment = pick(Object.keys(EQUIPMENT));
      core = `${EQUIPMENT[equipment]} ${base.name.replace(EQUIPMENT_WORDS, '').trim()}`;
    }
    let name = `${first} ${second} ${core}`;
    if (names.has(name)) name = `${name} ${i}`;
    names.add(name);
    const other = pick(catalogue.filter((e) => e.category === base.category));
    const steps = base.instructions.filter(() => random() < 0.75).sort(() => random() - 0.5);
    if (other.instructions.length) steps.push(pick(other.instructions));
    const secondary = base.secondaryMuscles.filter(() => random() < 0.7);
    if (random() < 0.3) secondary.push(pick(MUSCLES.filter((m) => !base.primaryMuscles.includes(m))));
    out.push({
      id: `Synthetic_${i}`,
      name,
      force: base.force ?? null,
      level: random() < 0.5 ? base.level : pick(LEVELS),
      mechanic: base.mechanic ?? null,
      equipment,
      primaryMuscles: [...base.primaryMuscles],
      secondaryMuscles: [...new Set(secondary)],
      instructions: steps,
      category: base.category,
    });
  }
  return [...catalogue, ...out];
}
