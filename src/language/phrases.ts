/**
 * Everyday phrases and what they mean, as weighted concepts: the data half of the vocabulary
 * (`vocabulary.ts` matches it). Body regions spread over their muscles ("legs" is mostly quads and
 * hamstrings), level words lean to the neighbouring level. Each concept's own words are added
 * automatically.
 *
 * Rule for an entry: it is true of fitness language in general (anatomy, gym slang, the names of
 * equipment and of exercise families). A phrase that only restates how one particular search is
 * worded, or that encodes which results one particular search should get, does not belong here.
 */
export type Weights = Record<string, number>;

export const PHRASES: [terms: string[], weights: Weights][] = [
  // muscles by everyday names
  [['chest', 'pecs', 'pec', 'pectoral', 'pectorals', 'pectoralis', 'bust'], { chest: 1 }],
  [['upper chest', 'inner chest', 'lower chest'], { chest: 1 }],
  [['shoulder', 'shoulders', 'delts', 'delt', 'deltoid', 'deltoids', 'overhead', 'front delt', 'front delts', 'side delt', 'side delts', 'lateral delt', 'lateral delts', 'capped shoulders', 'rotator cuff'], { shoulders: 1 }],
  [['rear delt', 'rear delts', 'rear deltoid'], { shoulders: 1, 'middle back': 0.3 }],
  [['external rotation', 'internal rotation'], { shoulders: 1, rotation: 0.6 }],
  [['lats', 'lat', 'latissimus', 'latissimus dorsi', 'wings', 'v taper', 'back width'], { lats: 1 }],
  [['middle back', 'mid back', 'upper back', 'rhomboids', 'rhomboid', 'shoulder blades', 'shoulder blade', 'back thickness'], { 'middle back': 1, traps: 0.4 }],
  [['lower back', 'low back', 'lumbar', 'erectors', 'spinal erectors', 'erector spinae'], { 'lower back': 1 }],
  [['traps', 'trap', 'trapezius', 'upper traps'], { traps: 1 }],
  [['biceps', 'bicep', 'bis', 'guns', 'brachialis'], { biceps: 1 }],
  [['triceps', 'tricep', 'tris', 'back of arm', 'back of arms', 'back of upper arm', 'bingo wings'], { triceps: 1 }],
  [['forearm', 'forearms', 'grip', 'wrist', 'wrists', 'hand strength', 'crushing grip', 'carpal'], { forearms: 1 }],
  [['abs', 'ab', 'abdominals', 'abdominal', 'core', 'six pack', 'stomach', 'belly', 'midsection', 'obliques', 'oblique', 'waist', 'love handles', 'tummy', 'gut', 'midriff', 'pilates', 'serratus'], { abdominals: 1 }],
  [['trunk'], { abdominals: 1, 'lower back': 0.4 }],
  [['quads', 'quad', 'quadriceps', 'front of thigh', 'front of thighs'], { quadriceps: 1 }],
  [['hip flexor', 'hip flexors', 'psoas'], { quadriceps: 0.8, glutes: 0.2 }],
  [['hamstrings', 'hamstring', 'hammies', 'back of thigh', 'back of thighs'], { hamstrings: 1 }],
  // the back of the leg is the hamstrings above the knee and the calf below it
  [['back of leg', 'back of legs'], { hamstrings: 1, calves: 0.6 }],
  [['glutes', 'glute', 'gluteus', 'butt', 'booty', 'bum', 'buttocks', 'backside', 'glute max'], { glutes: 1 }],
  [['calves', 'calf', 'lower leg', 'lower legs', 'shin', 'shins', 'ankle', 'ankles', 'achilles', 'soleus', 'gastrocnemius'], { calves: 1 }],
  [['adductors', 'adductor', 'inner thigh', 'inner thighs', 'groin'], { adductors: 1 }],
  [['abductors', 'abductor', 'outer hip', 'outer hips', 'outer thigh', 'outer thighs', 'glute medius', 'hip abductor', 'hip abductors'], { abductors: 1, glutes: 0.3 }],
  [['neck', 'cervical'], { neck: 1 }],
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
  [['barbell', 'barbells', 'olympic bar', 'bar', 'landmine', 'trap bar', 'hex bar', 'plates'], { barbell: 1 }],
  [['dumbbell', 'dumbbells', 'db', 'dbs', 'hand weights', 'free weights'], { dumbbell: 1 }],
  [['kettlebell', 'kettlebells', 'kb', 'bell'], { kettlebells: 1 }],
  [['cable', 'cables', 'pulley', 'cable machine', 'cable tower', 'crossover machine', 'functional trainer', 'lat machine'], { cable: 1 }],
  [['machine', 'machines', 'smith machine', 'leverage', 'selectorized'], { machine: 1 }],
  [['band', 'bands', 'resistance band', 'resistance bands', 'mini band', 'loop band', 'tubing', 'elastic', 'theraband', 'exercise band'], { bands: 1 }],
  [['medicine ball', 'med ball', 'medball', 'slam ball', 'wall ball'], { 'medicine ball': 1 }],
  [['exercise ball', 'stability ball', 'swiss ball', 'physio ball', 'yoga ball', 'balance ball', 'fitball'], { 'exercise ball': 1 }],
  [['foam roll', 'foam roller', 'foam rolling', 'roller', 'rolling', 'smr', 'self myofascial', 'self myofascial release', 'myofascial release', 'self massage', 'lacrosse ball', 'massage ball', 'trigger point'], { 'foam roll': 1 }],
  [['ez bar', 'e z bar', 'ez curl bar', 'e z curl bar', 'curl bar', 'cambered bar'], { 'e-z curl bar': 1 }],
  [['bodyweight', 'body weight', 'body only', 'calisthenics', 'no equipment', 'equipment free', 'without equipment', 'own body', 'bodyweight only'], { bodyweight: 1 }],
  [['home', 'at home'], { bodyweight: 0.5 }],
  // categories
  [['strength', 'strengthen', 'strengthening', 'stronger', 'strong', 'build', 'building', 'muscle', 'muscles', 'hypertrophy', 'mass', 'size', 'bigger', 'tone', 'toning', 'lift', 'lifts', 'lifting', 'weights'], { strength: 0.6 }],
  [['stretch', 'stretches', 'stretching', 'flexibility', 'flexible', 'mobility', 'loosen', 'tight', 'tightness', 'stiff', 'stiffness', 'cool down', 'cooldown', 'limber', 'range of motion', 'yoga', 'rest day', 'desk', 'stretched', 'unwind', 'relax', 'release'], { stretching: 1 }],
  [['warm up', 'warmup', 'warming up'], { stretching: 0.6, cardio: 0.3 }],
  [['plyometric', 'plyometrics', 'plyo', 'explosive', 'explosiveness', 'power', 'vertical jump', 'athletic', 'reactive', 'speed', 'agility', 'quickness', 'burpee', 'burpees'], { plyometrics: 1, 'olympic weightlifting': 0.3 }],
  [['cardio', 'cardiovascular', 'conditioning', 'aerobic', 'endurance', 'stamina', 'heart rate', 'heart pumping', 'sweat', 'hiit', 'fat burning', 'fat burn', 'calorie', 'calories', 'jog', 'jogging', 'treadmill', 'elliptical', 'cycling', 'bike', 'stairmaster', 'rowing machine', 'jump rope', 'skipping', 'metcon', 'circuit', 'battle rope', 'battle ropes', 'air bike', 'stair climber', 'breathless'], { cardio: 1 }],
  [['low impact', 'joint friendly', 'easy on the joints', 'knee friendly', 'quiet'], { 'low intensity': 1 }],
  [['powerlifting', 'powerlifter', 'powerlift', 'one rep max', '1rm', 'max effort', 'board press', 'box squat', 'big three', 'speed work', 'dynamic effort', 'lockout'], { powerlifting: 1 }],
  [['olympic', 'olympic lifting', 'olympic weightlifting', 'weightlifting', 'triple extension', 'oly'], { 'olympic weightlifting': 1 }],
  [['snatch', 'clean', 'jerk', 'clean and jerk', 'power clean', 'hang clean', 'split jerk', 'push jerk'], { 'olympic lift': 1, 'olympic weightlifting': 0.8 }],
  [['strongman', 'odd object', 'odd objects', 'stone', 'stones', 'atlas stone', 'keg', 'kegs', 'log press', 'yoke', 'tire', 'tire flip', 'sandbag', 'sled', 'sled drag', 'sled push', 'axle', 'circus dumbbell', 'conan wheel', 'truck pull', 'husafell'], { strongman: 1 }],
  [['loaded carry', 'loaded carries'], { strongman: 1, carry: 1 }],
  // levels and intensity
  [['beginner', 'beginners', 'novice', 'newbie', 'first time', 'new to', 'just starting', 'starting out', 'getting started', 'easy', 'simple', 'basic', 'basics', 'gentle', 'entry level', 'untrained', 'out of shape', 'deconditioned', 'senior', 'seniors', 'elderly', 'older adult'], { beginner: 1, intermediate: 0.2 }],
  [['intermediate', 'moderate', 'next level', 'progress', 'progression'], { intermediate: 1, expert: 0.3 }],
  [['advanced', 'expert', 'experienced', 'hard', 'difficult', 'challenge', 'challenging', 'elite', 'veteran', 'pro', 'seasoned', 'tough', 'demanding'], { expert: 1, intermediate: 0.5 }],
  [['intense', 'high intensity', 'brutal', 'killer'], { 'high intensity': 0.6 }],
  // force and mechanics: the catalogue's `force` and `mechanic` fields in everyday words
  [['push', 'pushing', 'push day', 'pushes'], { push: 1 }],
  [['pull', 'pulling', 'pull day', 'pulls'], { pull: 1 }],
  [['isometric', 'isometrics', 'static', 'hold', 'holds', 'holding', 'anti extension', 'time under tension', 'pause', 'paused', 'without moving', 'stay still'], { static: 1 }],
  [['compound', 'multi joint', 'big lifts', 'compound lift', 'compound lifts'], { compound: 1 }],
  [['isolation', 'single joint', 'isolate', 'isolating', 'one muscle', 'single muscle'], { isolation: 1 }],
  // movement patterns and exercise names (a multi-word name is one concept: its words fire nothing else)
  [['squat', 'squats', 'squatting', 'goblet squat', 'front squat', 'back squat'], { squat: 1 }],
  [['hinge', 'hip hinge', 'deadlift', 'deadlifts', 'good morning', 'good mornings', 'rdl', 'rdls', 'romanian deadlift', 'stiff leg', 'stiff legged', 'pull through', 'back extension', 'hyperextension'], { hinge: 1 }],
  [['lunge', 'lunges', 'split squat', 'split squats', 'step up', 'step ups', 'stepup', 'bulgarian', 'pistol', 'skater'], { lunge: 1 }],
  [['push up', 'push ups', 'pushup', 'pushups', 'press up', 'press ups'], { 'push-up': 1, push: 0.5, chest: 0.4 }],
  [['press', 'presses', 'bench press', 'overhead press', 'military press', 'shoulder press', 'chest press'], { press: 1, push: 0.5 }],
  [['row', 'rows', 'rowing'], { row: 1, pull: 0.5 }],
  [['pull up', 'pull ups', 'pullup', 'pullups', 'chin up', 'chin ups', 'chinup', 'pulldown', 'pulldowns', 'pull down', 'muscle up', 'muscle ups'], { 'pull-up': 1, pull: 0.5, lats: 0.4 }],
  [['curl', 'curls', 'curling'], { curl: 1 }],
  [['extension', 'extensions', 'skull crusher', 'skullcrusher', 'kickback', 'kickbacks', 'pushdown', 'pushdowns'], { extension: 1 }],
  [['raise', 'raises', 'lateral raise', 'front raise'], { raise: 1 }],
  [['calf raise', 'calf raises', 'heel raise', 'heel raises'], { raise: 1, calves: 1 }],
  [['fly', 'flys', 'flies', 'flye', 'flyes', 'crossover'], { fly: 1 }],
  [['carry', 'carries', 'carrying', 'suitcase carry', 'waiter walk'], { carry: 1 }],
  [['farmer', 'farmer walk', 'farmers walk', 'farmer carry'], { carry: 1, strongman: 1 }],
  [['rotation', 'rotational', 'rotate', 'twist', 'twists', 'twisting', 'woodchop', 'woodchopper', 'wood chop', 'russian twist'], { rotation: 1 }],
  [['anti rotation', 'pallof'], { 'anti-rotation': 1, abdominals: 0.5 }],
  [['jump', 'jumps', 'jumping', 'hop', 'hops', 'hopping', 'bound', 'bounds', 'bounding', 'leap', 'leaps', 'box jump'], { jump: 1, plyometrics: 0.5 }],
  [['throw', 'throws', 'throwing', 'toss', 'tosses', 'slam', 'slams', 'chest pass'], { throw: 1 }],
  [['plank', 'planks', 'hollow hold', 'wall sit', 'l sit'], { plank: 1, static: 0.6 }],
  [['bridge', 'bridges', 'glute bridge', 'hip thrust', 'hip thrusts', 'hip raise'], { bridge: 1, glutes: 0.5 }],
  [['shrug', 'shrugs'], { shrug: 1, traps: 0.5 }],
  [['crunch', 'crunches', 'sit up', 'sit ups', 'situp', 'leg raise', 'leg raises', 'knee raise', 'v up'], { crunch: 1, abdominals: 0.5 }],
  [['dip', 'dips', 'dip station', 'parallel bars'], { dip: 1, push: 0.5 }],
  [['swing', 'swings'], { swing: 1, hinge: 0.5 }],
  [['kettlebell swing', 'kettlebell swings'], { swing: 1, hinge: 0.5, kettlebells: 1 }],
  [['sprint', 'sprints', 'sprinting', 'run', 'running', 'shuttle'], { sprint: 1 }],
];

/**
 * What a movement pattern trains: when a query names an exercise as a goal ("get better at
 * pull-ups") the muscles and force behind it matter more than the exercise's own name.
 */
export const PATTERN_PROFILES: Record<string, Weights> = {
  squat: { quadriceps: 1, glutes: 0.7, strength: 0.6 },
  hinge: { hamstrings: 1, glutes: 0.8, 'lower back': 0.7, strength: 0.6 },
  lunge: { quadriceps: 1, glutes: 0.8, strength: 0.6 },
  'push-up': { chest: 1, triceps: 0.7, push: 0.8 },
  press: { shoulders: 0.8, chest: 0.8, triceps: 0.6, push: 0.8 },
  row: { 'middle back': 1, lats: 0.8, biceps: 0.4, pull: 0.8 },
  'pull-up': { lats: 1, biceps: 0.7, 'middle back': 0.4, pull: 0.8 },
  curl: { biceps: 1, forearms: 0.4 },
  extension: { triceps: 1 },
  raise: { shoulders: 1 },
  fly: { chest: 1, shoulders: 0.4 },
  carry: { forearms: 1, traps: 0.7, abdominals: 0.5 },
  jump: { quadriceps: 1, calves: 0.7, glutes: 0.6, plyometrics: 1 },
  throw: { shoulders: 0.8, chest: 0.7, abdominals: 0.5, plyometrics: 0.8 },
  plank: { abdominals: 1, static: 0.8 },
  bridge: { glutes: 1, hamstrings: 0.6 },
  shrug: { traps: 1 },
  crunch: { abdominals: 1 },
  dip: { triceps: 1, chest: 0.7, push: 0.8 },
  swing: { glutes: 1, hamstrings: 0.8 },
  'olympic lift': { 'olympic weightlifting': 1, quadriceps: 0.5, hamstrings: 0.5 },
  sprint: { quadriceps: 0.7, hamstrings: 0.7, cardio: 0.8 },
};
