import { describe, expect, it } from 'vitest';
import { exerciseProfile, profileTags, type ProfileSource } from '../../src/language/profile.js';

/** Exercises written for these tests (not catalogue rows), each with the one fact it checks. */
const ex = (exercise_name: string, over: Partial<ProfileSource> = {}): ProfileSource => ({
  exercise_name,
  how_to: null,
  category: 'strength',
  equipment: 'body only',
  primary_muscles: [],
  secondary_muscles: [],
  force: null,
  ...over,
});

describe('exerciseProfile: body position', () => {
  it.each([
    ['Seated Cable Row', 'seated'],
    ['Lying Leg Curl', 'lying'],
    ['Kneeling Cable Crunch', 'kneeling'],
    ['Hanging Knee Raise', 'hanging'],
    ['Standing Calf Raise', 'standing'],
    ['Wide-Grip Pull-Up', 'hanging'],
    ['Glute Bridge', 'lying'],
  ])('%s -> %s (from the name)', (name, position) => {
    expect(exerciseProfile(ex(name)).position).toBe(position);
  });

  it('reads the set-up of the instructions when the name says nothing', () => {
    expect(exerciseProfile(ex('Band Pull Apart', { how_to: 'Stand tall holding a band at chest height.\nPull the hands apart.' })).position).toBe('standing');
    expect(exerciseProfile(ex('Leg Lowers', { how_to: 'Lie on your back with both legs straight up.\nLower them slowly.' })).position).toBe('lying');
    expect(exerciseProfile(ex('Thoracic Opener', { how_to: 'Get on your hands and knees.\nRotate one arm to the ceiling.' })).position).toBe('kneeling');
    expect(exerciseProfile(ex('Arm Circles')).position).toBeNull();
  });

  it('marks floor work: lying, kneeling, and weight on the hands', () => {
    expect(exerciseProfile(ex('Dead Bug', { how_to: 'Lie on your back, arms up.' })).floor).toBe(true);
    expect(exerciseProfile(ex('Push-Up')).floor).toBe(true);
    expect(exerciseProfile(ex('Goblet Squat', { equipment: 'kettlebells' })).floor).toBe(false);
  });
});

describe('exerciseProfile: impact, loads, room', () => {
  it('jumping work is impact, loud and hard on the knees', () => {
    const p = exerciseProfile(ex('Squat Jump', { category: 'plyometrics' }));
    expect([p.impact, p.noise, p.load.knees, p.explosive]).toEqual(['jumping', 'loud', 2, true]);
  });

  it('a slow machine movement is none of those', () => {
    const p = exerciseProfile(ex('Machine Chest Press', { equipment: 'machine', primary_muscles: ['chest'], force: 'push' }));
    expect([p.impact, p.noise, p.load.knees, p.explosive, p.load.shoulders]).toEqual(['none', 'quiet', 0, false, 1]);
  });

  it.each([
    ['Barbell Back Squat', { equipment: 'barbell', primary_muscles: ['quadriceps'] }, 'knees', 2],
    ['Bodyweight Squat', { primary_muscles: ['quadriceps'] }, 'knees', 1],
    ['Barbell Deadlift', { equipment: 'barbell', primary_muscles: ['lower back'] }, 'spine', 2],
    ['Bird Dog', {}, 'spine', 0],
    ['Diamond Push-Up', { primary_muscles: ['triceps'] }, 'wrists', 2],
    ['Seated Dumbbell Overhead Press', { equipment: 'dumbbell', primary_muscles: ['shoulders'] }, 'shoulders', 2],
    ['Hamstring Stretch', { category: 'stretching' }, 'shoulders', 0],
  ] as const)('%s loads the %s at %d', (name, over, joint, load) => {
    expect(exerciseProfile(ex(name, over)).load[joint]).toBe(load);
  });

  it('travelling movements need room; single-side and balance work are told apart', () => {
    expect(exerciseProfile(ex('Walking Lunge')).space).toBe('large');
    expect(exerciseProfile(ex('Wall Sit')).space).toBe('small');
    const pistol = exerciseProfile(ex('Single-Leg Box Squat'));
    expect([pistol.singleSide, pistol.balance]).toEqual([true, true]);
    expect(exerciseProfile(ex('One-Arm Dumbbell Row', { equipment: 'dumbbell' })).singleSide).toBe(true);
    expect(exerciseProfile(ex('Dumbbell Bench Press', { equipment: 'dumbbell' })).singleSide).toBe(false);
  });

  it('rotation, grip and carrying', () => {
    expect(exerciseProfile(ex('Cable Woodchopper', { equipment: 'cable' })).rotational).toBe(true);
    expect(exerciseProfile(ex('Band External Rotation', { equipment: 'bands' })).rotational).toBe(false);
    const carry = exerciseProfile(ex('Suitcase Carry', { equipment: 'kettlebells' }));
    expect([carry.carry, carry.grip, carry.singleSide]).toEqual([true, true, true]);
    expect(exerciseProfile(ex('Towel Hang')).grip).toBe(true);
  });
});

describe('exerciseProfile: movement pattern', () => {
  it.each([
    ['Goblet Squat', {}, ['squat']],
    ['Romanian Deadlift', { equipment: 'barbell' }, ['hinge']],
    ['Reverse Lunge', {}, ['lunge']],
    ['Incline Bench Press', { equipment: 'barbell', force: 'push', primary_muscles: ['chest'] }, ['push']],
    ['Chest-Supported Row', { equipment: 'dumbbell', force: 'pull', primary_muscles: ['middle back'] }, ['pull']],
    ["Farmer's Carry", { equipment: 'dumbbell' }, ['carry']],
    ['Half-Kneeling Cable Chop', { equipment: 'cable' }, ['rotate']],
    ['Front Plank', { force: 'static', primary_muscles: ['abdominals'] }, ['brace']],
    ['Bear Crawl', { category: 'cardio' }, ['locomotion']],
    ['Calf Stretch', { category: 'stretching' }, ['mobility']],
    ['Lateral Raise', { equipment: 'dumbbell', force: 'push', primary_muscles: ['shoulders'] }, ['push']],
  ] as const)('%s -> %j', (name, over, patterns) => {
    expect(exerciseProfile(ex(name, over)).patterns).toEqual(patterns);
  });
});

describe('profileTags', () => {
  it('flattens a profile into the tags preferences are stated over', () => {
    const tags = profileTags(exerciseProfile(ex('Seated Band Row', { equipment: 'bands', force: 'pull', primary_muscles: ['middle back'] })));
    expect([...tags].sort()).toEqual(
      ['impact:none', 'load:knees:0', 'load:shoulders:0', 'load:spine:0', 'load:wrists:0', 'noise:quiet', 'pattern:pull', 'position:seated', 'space:small'].sort(),
    );
  });
});
