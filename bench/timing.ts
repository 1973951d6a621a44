/** Latency statistics shared by the benches: the same percentile rule and warm-up everywhere. */
export interface Stats {
  p50: number;
  p95: number;
}

/** Nearest-rank percentile of an ascending list. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** p50 / p95 in ms of `iterations` calls, after 10 warm-up calls that are not counted. */
export async function timeIt(iterations: number, fn: (i: number) => Promise<unknown>): Promise<Stats> {
  for (let i = 0; i < 10; i++) await fn(i);
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await fn(i);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}
