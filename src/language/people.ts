import { tokenize } from './text.js';
import type { Weights } from './phrases.js';

/**
 * What a person says about themselves, where they train, what hurts and what they hope to manage,
 * read as SOFT preferences over the exercise profile (`profile.ts` tags such as
 * "position:seated", "load:knees:2", "impact:jumping", "pattern:carry") and over the vocabulary's
 * concepts (muscles, categories, levels). A preference is a weight: above 0 a boost, below 0 a
 * penalty; ranking multiplies a row's score by (1 + w) for each tag it carries, never below a floor.
 *
 * Two kinds of cue:
 * - a FEATURE of an exercise ("seated", "lying down", "jumping", "on one leg"): stated, it is
 *   preferred; negated ("no jumping", "nothing on the floor") the rows carrying it are excluded.
 *   Its words describe how to do the exercise, not what it is called, so full text and the word
 *   side of the embedder set them aside: a "Standing Calf Raise" is not what a request for standing
 *   stretches means merely because of a shared word.
 * - a SITUATION (people, places, pain, daily-life goals, sports, lay names of complaints): always
 *   soft, whatever negation is near it (a stated complaint is not undone by "no").
 *
 * Every entry is general knowledge of training and of how people describe themselves, stated once.
 * Pure; table-tested on sentences of our own (test/language/people.test.ts).
 */
export interface Cue {
  /** A regular expression over the query's tokens joined by single spaces. */
  match: RegExp;
  kind: 'feature' | 'situation';
  /** Profile tags or `concept:<id>` -> weight. */
  tags: Weights;
  /** Vocabulary concepts the cue implies (added to the query's concepts when it names none stronger). */
  concepts?: Weights;
  /** A posture word: it says how the exercise is done, so word matching sets it aside (the name-word trap). */
  aside?: boolean;
}

const feature = (match: RegExp, tags: Weights, concepts?: Weights): Cue => ({ match, kind: 'feature', tags, ...(concepts ? { concepts } : {}) });
const posture = (match: RegExp, tags: Weights): Cue => ({ match, kind: 'feature', tags, aside: true });
const situation = (match: RegExp, tags: Weights, concepts?: Weights): Cue => ({ match, kind: 'situation', tags, ...(concepts ? { concepts } : {}) });

const PAIN = '(?:pain|pains|painful|hurt|hurts|hurting|sore|sores|ache|aches|aching|achy|injury|injured|injuries|bad|dodgy|weak|stiff|problem|problems|issue|issues|arthritis|tendonitis|tendinitis|strain|strained|sprain|sprained|surgery|replacement|torn|tear|twinge|niggle|gives out)';
const near = (body: string) => new RegExp(`\\b(?:${PAIN}(?: \\w+){0,2} (?:${body})|(?:${body})(?: \\w+){0,2} ${PAIN})\\b`);

const JOINT_SOFT = { 'load:knees:2': -0.3, 'load:spine:2': -0.3, 'impact:jumping': -0.5, explosive: -0.3 };

export const CUES: readonly Cue[] = [
  // body position and room: features of the exercise
  posture(/\b(?:seated|sitting|sit down|in a chair|on a chair|from a chair|chair|wheelchair|sat)\b/, { 'position:seated': 0.8, floor: -0.3, 'impact:jumping': -0.5 }),
  posture(/\b(?:lying|lying down|lie down|laying|laying down|in bed|on my back|on the bed|flat on)\b/, { 'position:lying': 0.8, 'position:standing': -0.3, 'impact:jumping': -0.5 }),
  posture(/\b(?:kneeling|on my knees|on all fours)\b/, { 'position:kneeling': 0.8 }),
  posture(/\b(?:standing|standing up|stand up|while i stand|on my feet)\b/, { 'position:standing': 0.8, floor: -0.4 }),
  posture(/\b(?:on the floor|on the ground|floor|mat)\b/, { floor: 0.5 }),
  feature(/\b(?:hanging|hang from|dead hang)\b/, { 'position:hanging': 0.8 }),
  feature(/\b(?:jump|jumps|jumping|hop|hops|hopping|plyo|plyometric|plyometrics|impact)\b/, { 'impact:jumping': 0.6 }),
  feature(/\b(?:single leg|one leg|one legged|single legged|on one foot)\b/, { balance: 0.5, singleSide: 0.2 }),
  feature(/\b(?:unilateral|one arm|single arm|one side|one sided|one hand|single hand)\b/, { singleSide: 0.5 }),
  feature(/\b(?:balance|wobbly|unsteady|steady on my feet|fall|falls|falling)\b/, { balance: 0.6 }),
  feature(/\b(?:twist|twisting|rotation|rotational|rotate)\b/, { rotational: 0.6 }),
  feature(/\b(?:explosive|explosiveness|power|quick|quicker|fast|faster|speed|burst|spring)\b/, { explosive: 0.5 }),
  feature(/\b(?:quiet|quietly|silent|silently|noiseless|no noise)\b/, { 'noise:loud': -0.8, 'impact:jumping': -0.6 }),
  // where and how
  situation(/\b(?:small|tiny|little|limited|cramped|no) (?:space|room|apartment|flat|area)\b|\b(?:hotel room|dorm|dorm room|studio apartment|cubicle|office|at my desk)\b/, { 'space:large': -0.7, 'concept:machine': -0.6, 'concept:cable': -0.5, 'concept:barbell': -0.4 }),
  situation(/\b(?:neighbours?|neighbors?|downstairs|thin walls|upstairs flat|baby is asleep|baby sleeping|kids? asleep|apartment|flat)\b/, { 'noise:loud': -0.7, 'impact:jumping': -0.6 }),
  situation(/\b(?:packed|crowded|busy|rush hour|peak hours?|taken|occupied|no free)\b/, { 'concept:dumbbell': 0.3, 'concept:kettlebells': 0.3, 'concept:bands': 0.3, 'concept:bodyweight': 0.3, 'concept:machine': -0.4, 'concept:barbell': -0.4, 'space:large': -0.4 }),
  situation(/\b(?:can ?t|cannot|can not|unable to|hard to|struggle to) (?:get|go|kneel|lie) (?:down|on|onto)\b|\bcan ?t (?:get )?(?:up|down) (?:from|off|on) the floor\b/, { floor: -0.8, 'position:standing': 0.4, 'position:seated': 0.3 }),
  // who
  situation(/\b(?:senior|seniors|elderly|older adults?|older people|older person|pensioner|retired|retiree|grandma|grandpa|grandmother|grandfather|aging|ageing|[6-9][0-9] years? old|i m [6-9][0-9]|in my [6-9]0s|over [6-9]0)\b/, { 'impact:jumping': -0.4, 'load:spine:2': -0.3, explosive: -0.3, balance: 0.2 }),
  situation(/\b(?:pregnant|pregnancy|prenatal|antenatal|trimester|expecting a baby|bump)\b/, { 'impact:jumping': -0.7, 'load:spine:2': -0.6, explosive: -0.6, 'position:lying': -0.3, 'concept:crunch': -0.6, 'concept:expert': -0.4 }),
  situation(/\b(?:postpartum|post partum|postnatal|post natal|after birth|after giving birth|new mom|new mum|new mother|had a baby|c section|diastasis)\b/, { 'impact:jumping': -0.6, 'load:spine:2': -0.5, explosive: -0.5, 'concept:crunch': -0.6, 'concept:expert': -0.5, 'concept:beginner': 0.2 }),
  situation(/\b(?:never (?:exercised|worked out|trained|lifted)|first (?:time|week|day|month)|new to (?:the )?(?:gym|lifting|exercise|working out|training)|total beginner|complete beginner|just started|couch potato|out of shape|unfit)\b/, { 'concept:expert': -0.6, explosive: -0.3, 'concept:olympic weightlifting': -0.5, 'concept:beginner': 0.4 }),
  situation(/\b(?:kid|kids|child|children|son|daughter|[4-9] year old|1[0-2] year old|youngster|toddler)\b/, { 'load:spine:2': -0.6, 'concept:barbell': -0.6, 'concept:machine': -0.6, 'concept:powerlifting': -0.6, 'concept:bodyweight': 0.4, 'concept:expert': -0.4 }),
  situation(/\b(?:teen|teens|teenager|teenage|1[3-7] year old|i m 1[3-7]|high school)\b/, { 'concept:powerlifting': -0.3, 'concept:bodyweight': 0.2 }),
  situation(/\b(?:overweight|obese|obesity|heavy beginner|[23][0-9][0-9] (?:pounds|lbs|lb)|1[2-9][0-9] (?:kg|kilos)|big guy|big girl|plus size)\b/, { 'impact:jumping': -0.7, 'load:knees:2': -0.4, floor: -0.2, 'load:wrists:2': -0.3, 'concept:beginner': 0.3 }),
  situation(/\b(?:rehab|rehabilitation|physio|physiotherapy|physical therapy|recovering|recovery from|coming back from|returning from)\b/, { 'impact:jumping': -0.6, explosive: -0.5, 'load:spine:2': -0.4, 'load:knees:2': -0.4, 'concept:expert': -0.4 }),
  // pain and injury: push away what loads the joint, favour kind alternatives
  situation(near('knee|knees|kneecap|patella|patellar|meniscus|acl|mcl'), { 'load:knees:2': -0.7, 'load:knees:1': -0.2, 'impact:jumping': -0.7, 'concept:bridge': 0.2 }),
  situation(/\b(?:runners? knee|jumpers? knee|patellofemoral)\b/, { 'load:knees:2': -0.6, 'impact:jumping': -0.7 }, { glutes: 0.5, abductors: 0.5 }),
  situation(near('back|lower back|low back|spine|disc|discs|lumbar'), { 'load:spine:2': -0.7, 'load:spine:1': -0.3, explosive: -0.4, 'impact:jumping': -0.3 }),
  situation(/\b(?:sciatica|herniated|slipped disc|bulging disc|disc herniation)\b/, { 'load:spine:2': -0.8, 'load:spine:1': -0.4, explosive: -0.5, 'impact:jumping': -0.5, 'pattern:mobility': 0.3 }, { stretching: 0.5 }),
  situation(near('wrist|wrists|hand|hands|thumb'), { 'load:wrists:2': -0.8, 'load:wrists:1': -0.3 }),
  situation(/\b(?:carpal tunnel|tennis elbow|golfers? elbow)\b/, { 'load:wrists:2': -0.7, 'load:wrists:1': -0.4 }),
  situation(near('shoulder|shoulders|rotator cuff|cuff'), { 'load:shoulders:2': -0.7, explosive: -0.3 }),
  situation(/\b(?:frozen shoulder|impingement|shoulder impingement|dislocated shoulder)\b/, { 'load:shoulders:2': -0.8, 'pattern:mobility': 0.3 }, { shoulders: 0.8, stretching: 0.4 }),
  situation(near('neck'), { 'load:spine:2': -0.4, 'load:shoulders:2': -0.3, 'pattern:mobility': 0.3 }),
  situation(near('hip|hips'), { 'impact:jumping': -0.5, 'load:knees:2': -0.3, 'load:spine:2': -0.3 }),
  situation(near('ankle|ankles|foot|feet|heel|heels|achilles|shin|shins'), { 'impact:jumping': -0.8, 'space:large': -0.3 }),
  situation(/\b(?:plantar fasciitis|plantar|shin splints|achilles tendonitis|flat feet|fallen arches|heel spur)\b/, { 'impact:jumping': -0.8, 'pattern:mobility': 0.3 }, { calves: 0.8, stretching: 0.5 }),
  situation(/\b(?:it band|itb|iliotibial)\b/, { 'impact:jumping': -0.5, 'concept:foam roll': 0.4 }, { abductors: 0.7, glutes: 0.6, stretching: 0.4 }),
  situation(/\b(?:arthritis|osteoporosis|osteoarthritis|hypermobile|fibromyalgia)\b/, JOINT_SOFT),
  situation(near('joint|joints'), { ...JOINT_SOFT, 'load:knees:2': -0.5, 'impact:jumping': -0.7 }),
  situation(/\b(?:blood pressure|hypertension|heart condition|heart problems|valsalva)\b/, { 'concept:powerlifting': -0.6, 'concept:strongman': -0.6, 'load:spine:2': -0.4, explosive: -0.3, 'concept:static': -0.3, 'concept:expert': -0.3 }),
  // everyday goals: the movements that train them
  situation(/\b(?:get|getting|stand|standing|rise|rising) up (?:from|off|out of) (?:a |the |my )?(?:chair|couch|sofa|toilet|floor|ground|bed|seat)\b|\bsit to stand\b/, { 'pattern:squat': 0.6, 'pattern:lunge': 0.2 }, { quadriceps: 0.8, glutes: 0.7 }),
  situation(/\b(?:carry|carrying|haul|hauling|lug|lugging) (?:\w+ ){0,2}(?:groceries|shopping|bags|luggage|suitcase|kids?|child|baby|toddler|boxes|water|firewood|car seat)\b/, { 'pattern:carry': 0.6, grip: 0.4 }, { forearms: 0.6, traps: 0.5, abdominals: 0.3 }),
  situation(/\b(?:stairs|staircase|steps|hills?|hiking|hike|uphill|climb stairs|climbing stairs)\b/, { 'pattern:lunge': 0.5, 'pattern:squat': 0.2, singleSide: 0.2 }, { quadriceps: 0.8, glutes: 0.7, calves: 0.4 }),
  situation(/\b(?:reach|reaching|lift|lifting|put|putting|get|getting) (?:\w+ ){0,3}(?:overhead|high shelf|top shelf|shelves|cupboard|overhead bin|over my head|above my head)\b/, { 'pattern:push': 0.4 }, { shoulders: 0.8, triceps: 0.3 }),
  situation(/\b(?:pick|picking|lift|lifting) (?:up )?(?:\w+ ){0,2}(?:child|kid|kids|baby|toddler|boxes|box|things|stuff|heavy things) (?:off|from) the (?:floor|ground)\b|\bpick (?:things|stuff) up\b|\bbend(?:ing)? down\b/, { 'pattern:hinge': 0.5, 'pattern:squat': 0.3 }, { hamstrings: 0.6, glutes: 0.7, 'lower back': 0.5 }),
  situation(/\b(?:posture|hunched|hunching|slouch|slouching|rounded shoulders|round shoulders|hunchback|kyphosis|desk job|tech neck|text neck|forward head)\b/, { 'pattern:pull': 0.3, 'pattern:mobility': 0.2 }, { 'middle back': 0.8, traps: 0.5, neck: 0.3 }),
  situation(/\b(?:open jars|opening jars|jar lids|grip strength|weak grip|hold on longer)\b/, { grip: 0.6 }, { forearms: 0.8 }),
  // sports and practices: what they demand
  situation(/\b(?:golf|golfer|tennis|baseball|softball|cricket|hockey|lacrosse|squash|badminton|padel|throwing|pitcher|discus|javelin)\b/, { rotational: 0.6, explosive: 0.3 }, { abdominals: 0.6, shoulders: 0.3 }),
  situation(/\b(?:boxing|boxer|kickboxing|muay thai|mma|martial arts|karate|taekwondo|punch|punching|punches)\b/, { rotational: 0.4, explosive: 0.3 }, { shoulders: 0.8, abdominals: 0.5, cardio: 0.4 }),
  situation(/\b(?:wrestling|wrestler|judo|jiu jitsu|bjj|grappling|grappler)\b/, { grip: 0.5, explosive: 0.3 }, { neck: 0.5, forearms: 0.6, 'lower back': 0.4 }),
  situation(/\b(?:climbing|climber|bouldering|rope climb|rock climb|monkey bars)\b/, { grip: 0.6, 'pattern:pull': 0.5, 'position:hanging': 0.3 }, { forearms: 0.8, lats: 0.8, biceps: 0.5 }),
  situation(/\b(?:swimming|swimmer|swim|freestyle|butterfly stroke)\b/, { 'pattern:pull': 0.4 }, { lats: 0.8, shoulders: 0.6, triceps: 0.3 }),
  situation(/\b(?:runner|runners|marathon|half marathon|5k|10k|jogger|trail running)\b/, { singleSide: 0.3, balance: 0.2 }, { calves: 0.6, hamstrings: 0.6, glutes: 0.6, quadriceps: 0.5 }),
  situation(/\b(?:cycling|cyclist|cycle|biking|bike ride|spin class)\b/, {}, { quadriceps: 0.8, hamstrings: 0.5, glutes: 0.5 }),
  situation(/\b(?:skiing|skier|ski|snowboarding|snowboard|skating|skate|skater|stride)\b/, { singleSide: 0.4, balance: 0.3, explosive: 0.3, 'pattern:lunge': 0.3 }, { quadriceps: 0.8, glutes: 0.7, adductors: 0.5, abductors: 0.5 }),
  situation(/\b(?:football|rugby|lineman|linebacker|sprinter|basketball|volleyball|dunk|vertical|sprinting)\b/, { explosive: 0.6 }, { quadriceps: 0.6, glutes: 0.6, hamstrings: 0.5 }),
  situation(/\b(?:soccer|futsal)\b/, { singleSide: 0.3, explosive: 0.4 }, { quadriceps: 0.6, hamstrings: 0.6, adductors: 0.5 }),
  situation(/\b(?:horse riding|horseback|riding horses|equestrian|rider)\b/, { balance: 0.3 }, { adductors: 0.8, abdominals: 0.7, 'lower back': 0.4 }),
  situation(/\b(?:rowing|rower|kayak|kayaking|paddle|paddling|canoe)\b/, { 'pattern:pull': 0.4, rotational: 0.3 }, { 'middle back': 0.7, lats: 0.7 }),
  situation(/\b(?:dance|dancer|dancing|ballet|gymnastics|gymnast|cheerleading|cheer)\b/, { balance: 0.4, 'pattern:mobility': 0.3 }, { stretching: 0.4 }),
  // sitting for long stretches is a situation (tight hips, a stiff back), not a wish to train seated
  situation(/\b(?:sit|sitting|sat|seated) (?:\w+ ){0,3}(?:all day|for hours|at (?:a|my) desk|at work)\b|\b(?:at a desk|at my desk|desk work)\b/, {}),
  // lay names of common complaints and looks
  situation(/\b(?:dead butt|glute amnesia|flat butt|pancake butt|sleepy glutes)\b/, { 'concept:bridge': 0.4 }, { glutes: 1 }),
  situation(/\b(?:anterior pelvic tilt|pelvic tilt|swayback|sway back|lordosis)\b/, { 'pattern:mobility': 0.2 }, { glutes: 0.8, abdominals: 0.7, stretching: 0.4 }),
  situation(/\b(?:beer belly|dad bod|muffin top|pot belly|belly fat|spare tire)\b/, {}, { abdominals: 0.8, cardio: 0.5 }),
  situation(/\b(?:chicken legs|skinny legs|thunder thighs|tree trunk legs)\b/, {}, { quadriceps: 0.9, hamstrings: 0.7, glutes: 0.5, calves: 0.5 }),
  situation(/\b(?:t rex arms|noodle arms|skinny arms|sleeve|sleeves)\b/, {}, { biceps: 0.9, triceps: 0.9 }),
  situation(/\b(?:popeye|hammer fists)\b/, {}, { forearms: 1 }),
  situation(/\b(?:boulder shoulders|3d delts|cannonball delts)\b/, {}, { shoulders: 1 }),
  situation(/\b(?:bubble butt|peach|booty gains)\b/, {}, { glutes: 1 }),
];

export interface PeopleReading {
  /** Tag -> weight: boosts above 0, penalties below. */
  prefer: ReadonlyMap<string, number>;
  /** Tags a negated feature rules out. */
  exclude: ReadonlySet<string>;
  /** Concepts the situations imply. */
  concepts: ReadonlyMap<string, number>;
  /** Indices of `tokenize(query)` tokens that state a posture (left out of word matching). */
  featureTokens: ReadonlySet<number>;
  /** Indices of tokens near a word of pain ("squats hurt"): a movement named there is one to avoid. */
  painTokens: ReadonlySet<number>;
}

const PAIN_WORD = new RegExp(`^${PAIN}$`);
const PAIN_REACH = 3;

/**
 * Reads the cues of a query. `negated` holds the token indices a negation reaches (query.ts):
 * a feature cue starting there becomes an exclusion of its boosted tags.
 */
export function readPeople(text: string, negated: ReadonlySet<number> = new Set()): PeopleReading {
  const tokens = tokenize(text);
  const joined = tokens.join(' ');
  const startOf: number[] = [];
  let offset = 0;
  for (const t of tokens) {
    startOf.push(offset);
    offset += t.length + 1;
  }
  const tokenAt = (char: number) => {
    let i = 0;
    while (i + 1 < startOf.length && startOf[i + 1]! <= char) i++;
    return i;
  };
  const prefer = new Map<string, number>();
  const exclude = new Set<string>();
  const concepts = new Map<string, number>();
  const featureTokens = new Set<number>();
  const painTokens = new Set<number>();
  tokens.forEach((t, i) => {
    if (!PAIN_WORD.test(t)) return;
    for (let k = Math.max(0, i - PAIN_REACH); k <= Math.min(tokens.length - 1, i + PAIN_REACH); k++) if (k !== i) painTokens.add(k);
  });
  // A situation claims its words first: "getting up from a chair" is a goal, not a seated exercise.
  const claimed = new Set<number>();
  const add = (map: Map<string, number>, key: string, w: number) => {
    const old = map.get(key);
    // The strongest statement wins: a boost and a penalty of the same tag keep the one further from 0.
    if (old === undefined || Math.abs(w) > Math.abs(old)) map.set(key, w);
  };
  const ordered = [...CUES.filter((c) => c.kind === 'situation'), ...CUES.filter((c) => c.kind === 'feature')];
  for (const cue of ordered) {
    const re = new RegExp(cue.match.source, 'g');
    for (let m = re.exec(joined); m; m = re.exec(joined)) {
      const first = tokenAt(m.index);
      const last = tokenAt(m.index + Math.max(0, m[0].length - 1));
      if (m[0].length === 0) re.lastIndex++;
      const span = Array.from({ length: last - first + 1 }, (_, k) => first + k);
      if (cue.kind === 'situation') {
        span.forEach((i) => claimed.add(i));
      } else {
        if (span.some((i) => claimed.has(i))) continue;
        if (cue.aside) span.forEach((i) => featureTokens.add(i));
        if (negated.has(first)) {
          for (const [tag, w] of Object.entries(cue.tags)) if (w > 0) exclude.add(tag);
          continue;
        }
        if (painTokens.has(first)) {
          // "jumping hurts": the stated feature is what to stay away from, softly.
          for (const [tag, w] of Object.entries(cue.tags)) if (w > 0) add(prefer, tag, -0.7);
          continue;
        }
      }
      for (const [tag, w] of Object.entries(cue.tags)) add(prefer, tag, w);
      for (const [id, w] of Object.entries(cue.concepts ?? {})) add(concepts, id, w);
    }
  }
  for (const tag of exclude) prefer.delete(tag);
  return { prefer, exclude, concepts, featureTokens, painTokens };
}
