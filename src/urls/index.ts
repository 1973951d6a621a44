/**
 * Source URLs: one canonical form per post or video (the dedupe key with the carousel slide) and
 * the platform it comes from. Pure, no network; it knows only the domain's platforms.
 */
export { normalizeUrl, type NormalizedUrl, type Platform } from './normalize.js';
