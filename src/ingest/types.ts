import { z } from 'zod';
import { EDITABLE_FIELDS, exerciseSchema } from '../domain/index.js';

/** One downloaded video file. A carousel post yields one item per video slide. */
export interface MediaItem {
  path: string;
  /** 1-based slide position inside the post (1 for anything that is not a carousel). */
  carouselIndex: number;
  subtitlesPath?: string;
}

export interface DownloadResult {
  items: MediaItem[];
  /** The post's text (Instagram caption, YouTube description); the best hint we have about exercise names. */
  caption: string | null;
  title: string | null;
  tags: string[];
  uploader: string | null;
  /** Duration in seconds reported by the platform, when exactly one item was downloaded. */
  durationHint: number | null;
}

/**
 * One exercise found in a video, in the shape every analyzer (AI or offline) must return: the
 * domain's description of the movement, named `name`, with its times and the analyzer's confidence.
 * Times are seconds from the start of the media item; levels are integers on a 0-10 scale.
 */
export const AnalyzedExerciseSchema = exerciseSchema
  .pick(EDITABLE_FIELDS)
  .omit({ exercise_name: true })
  .extend({
    name: z.string().trim().min(1).max(200),
    start_time: z.number().min(0),
    end_time: z.number().min(0),
    fitness_level: z.number().int().min(0).max(10),
    intensity: z.number().int().min(0).max(10),
    confidence: z.number().min(0).max(1),
  });

export type AnalyzedExercise = z.infer<typeof AnalyzedExerciseSchema>;

/** The neutral middle of the 0-10 scales, for exercises nobody has rated. */
export const NEUTRAL_LEVEL = 5;

/**
 * An exercise known only by its name and times: everything else is left empty rather than
 * invented (analyzers without a model, and segments given with the request).
 */
export function unratedExercise(
  fields: Pick<AnalyzedExercise, 'name' | 'start_time' | 'end_time' | 'confidence'> & Partial<AnalyzedExercise>,
): AnalyzedExercise {
  return {
    how_to: null,
    benefits: null,
    counteracts: null,
    fitness_level: NEUTRAL_LEVEL,
    intensity: NEUTRAL_LEVEL,
    rounds_reps: null,
    category: null,
    primary_muscles: [],
    secondary_muscles: [],
    equipment: null,
    force: null,
    mechanic: null,
    ...fields,
  };
}

export interface AnalysisInput {
  /** Key frames (JPEG files) with their time in seconds. */
  frames: { time: number; path: string }[];
  transcript: string | null;
  caption: string | null;
  title: string | null;
  tags: string[];
  /** 1-based position of this item in its post, and the number of items in the post. */
  carouselIndex: number;
  carouselCount: number;
  /** Seconds. */
  duration: number;
  /** Seconds at which the picture changes scene, ascending. */
  sceneChanges: number[];
  /** Where the video came from; only used to name an exercise when nothing better is known. */
  sourceUrl?: string | null;
}
