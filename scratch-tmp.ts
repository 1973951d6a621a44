import { analyzeQuery } from './src/search/query.js';
import { buildTsQuery } from './src/search/fulltext.js';
const qs = ['the toughest ab moves', 'easiest shoulder exercises', 'something more advanced than beginner squats', 'harder than intermediate', 'easier than expert level lifts', 'less intense cardio', 'least advanced options',
'leg work without jumping', 'core, not a stretch', 'skip the barbell, chest day', 'no weights for my arms', "don't want machines", 'cable rows instead of dumbbell rows', 'not for beginners',
'good morning variations', "farmer's walk for traps", 'calf raise on a step',
'get better at pull-ups', 'improve my squat', 'pull-ups', 'multi-joint moves for legs', 'single-joint arm isolation', 'pushing movements', 'static holds', 'hotel room workout'];
for (const q of qs) { const a = analyzeQuery(q); console.log(q.padEnd(45), JSON.stringify([...a.weights].map(([k,v])=>`${k}:${v.toFixed(1)}`)), '|', buildTsQuery(q)); }
