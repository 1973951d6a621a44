import type { Queryable } from '../../database/db.js';

/**
 * pgvector's cosine distance, reproduced to the last bit. pgvector sums float4 products in a
 * loop the C compiler is free to vectorize, so the rounding depends on how the server was built:
 * PGlite's WASM build sums one product at a time, a server built with AVX2 and FMA keeps 8 partial
 * sums with fused multiply-adds and adds them pairwise at the end. Which order the database uses
 * is measured once (probeSumOrder) rather than assumed, so both paths rank near-ties alike.
 */
export interface SumOrder {
  /** Partial sums kept side by side (1 = one running sum). */
  lanes: number;
  /** Whether each product is added without rounding it first (a fused multiply-add). */
  fma: boolean;
}

export const SEQUENTIAL: SumOrder = { lanes: 1, fma: false };
const CANDIDATES: SumOrder[] = [SEQUENTIAL, { lanes: 8, fma: true }, { lanes: 8, fma: false }, { lanes: 4, fma: true }, { lanes: 4, fma: false }, { lanes: 16, fma: true }, { lanes: 16, fma: false }, { lanes: 1, fma: true }];

const f = Math.fround;

/** Σ a[aOff + i] * b[i] in float4, in the given order. */
export function dotFloat4(a: Float32Array, aOff: number, b: Float32Array, dims: number, order: SumOrder): number {
  if (order.lanes === 1) {
    let s = 0;
    // A float4 product is exact in a double, so `s + x * y` rounded once is the fused multiply-add.
    if (order.fma) for (let i = 0; i < dims; i++) s = f(s + a[aOff + i]! * b[i]!);
    else for (let i = 0; i < dims; i++) s = f(s + f(a[aOff + i]! * b[i]!));
    return s;
  }
  const lanes = order.lanes;
  const acc = new Float32Array(lanes);
  const whole = dims - (dims % lanes);
  for (let i = 0; i < whole; i += lanes) {
    for (let l = 0; l < lanes; l++) acc[l] = acc[l]! + (order.fma ? a[aOff + i + l]! * b[i + l]! : f(a[aOff + i + l]! * b[i + l]!));
  }
  // The compiler's reduction: the upper half of the lanes onto the lower, until one is left.
  for (let width = lanes / 2; width >= 1; width /= 2) for (let l = 0; l < width; l++) acc[l] = acc[l]! + acc[l + width]!;
  let s = acc[0]!;
  for (let i = whole; i < dims; i++) s = f(s + (order.fma ? a[aOff + i]! * b[i]! : f(a[aOff + i]! * b[i]!)));
  return s;
}

/**
 * dotFloat4 of q with every row of a column-major matrix (`columns[j * count + r]` is row r's
 * entry j) at once, in the same order, so each sum is bit for bit what dotFloat4 gives. A zero
 * entry of q adds a zero product, which leaves any running float sum as it was, so those columns
 * are skipped: the offline embedder's query vectors have a few dozen non-zero entries of 384.
 * `scratch`, when long enough, holds the sums instead of a new array (the answer is a view of it).
 */
export function dotFloat4Columns(columns: Float32Array, count: number, q: Float32Array, order: SumOrder, scratch?: Float32Array): Float32Array {
  const dims = q.length;
  const lanes = order.lanes;
  const whole = lanes === 1 ? 0 : dims - (dims % lanes);
  // A Float32Array store rounds to float4: `acc[r] = acc[r] + x` is f(acc + x).
  const size = lanes * count;
  const acc = scratch && scratch.length >= size ? scratch.subarray(0, size).fill(0) : new Float32Array(size);
  const add = (sums: Float32Array, at: number, col: number, qj: number) => {
    if (order.fma) for (let r = 0; r < count; r++) sums[at + r] = sums[at + r]! + columns[col + r]! * qj;
    else for (let r = 0; r < count; r++) sums[at + r] = sums[at + r]! + f(columns[col + r]! * qj);
  };
  for (let j = 0; j < whole; j++) if (q[j] !== 0) add(acc, (j % lanes) * count, j * count, q[j]!);
  for (let width = lanes / 2; width >= 1; width /= 2) {
    for (let l = 0; l < width; l++) {
      const a = l * count;
      const b = (l + width) * count;
      for (let r = 0; r < count; r++) acc[a + r] = acc[a + r]! + acc[b + r]!;
    }
  }
  for (let j = whole; j < dims; j++) if (q[j] !== 0) add(acc, 0, j * count, q[j]!);
  return acc.subarray(0, count);
}

/** vector_cosine_distance from the three sums: the quotient in double, clamped to [-1, 1]. */
export function cosineDistance(dot: number, normA: number, normB: number): number {
  let similarity = dot / Math.sqrt(normA * normB);
  if (similarity > 1) similarity = 1;
  else if (similarity < -1) similarity = -1;
  return 1 - similarity;
}

/**
 * Asks the database for a few cosine distances between fixed pseudo-random vectors and returns
 * the summation order that reproduces all of them; SEQUENTIAL when none does (or pgvector is
 * not reachable), which then agrees within float rounding.
 */
export async function probeSumOrder(db: Queryable, dims: number): Promise<SumOrder> {
  if (dims === 0) return SEQUENTIAL;
  let seed = 12345;
  const next = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
  const pairs = Array.from({ length: 6 }, () => [Float32Array.from({ length: dims }, next), Float32Array.from({ length: dims }, next)] as const);
  const literal = (v: Float32Array) => `[${Array.from(v).join(',')}]`;
  let distances: number[];
  try {
    const params = pairs.flatMap(([a, b]) => [literal(a), literal(b)]);
    const select = pairs.map((_, i) => `($${2 * i + 1}::vector <=> $${2 * i + 2}::vector)::float8 AS d${i}`).join(', ');
    const [row] = await db.query<Record<string, number>>(`SELECT ${select}`, params);
    distances = pairs.map((_, i) => Number(row![`d${i}`]));
  } catch {
    return SEQUENTIAL;
  }
  const fits = (order: SumOrder) =>
    pairs.every(([a, b], i) => cosineDistance(dotFloat4(a, 0, b, dims, order), dotFloat4(a, 0, a, dims, order), dotFloat4(b, 0, b, dims, order)) === distances[i]);
  return CANDIDATES.find(fits) ?? SEQUENTIAL;
}
