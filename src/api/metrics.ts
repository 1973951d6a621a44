/**
 * A small Prometheus text-format registry: request counters and latency histograms by route,
 * plus gauges read at scrape time (jobs by state). No dependency needed for this much.
 */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Series {
  count: number;
  sum: number;
  buckets: number[];
}

export class Metrics {
  private requests = new Map<string, number>();
  private latency = new Map<string, Series>();

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const key = `method="${method}",route="${escape(route)}",status="${status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    const lkey = `method="${method}",route="${escape(route)}"`;
    let s = this.latency.get(lkey);
    if (!s) {
      s = { count: 0, sum: 0, buckets: BUCKETS.map(() => 0) };
      this.latency.set(lkey, s);
    }
    s.count++;
    s.sum += seconds;
    BUCKETS.forEach((b, i) => {
      if (seconds <= b) s.buckets[i]!++;
    });
  }

  render(gauges: { name: string; help: string; values: { labels: string; value: number }[] }[]): string {
    const lines: string[] = [];
    lines.push('# HELP http_requests_total HTTP requests by method, route and status.', '# TYPE http_requests_total counter');
    for (const [k, v] of this.requests) lines.push(`http_requests_total{${k}} ${v}`);
    lines.push('# HELP http_request_duration_seconds HTTP request latency.', '# TYPE http_request_duration_seconds histogram');
    for (const [k, s] of this.latency) {
      BUCKETS.forEach((b, i) => lines.push(`http_request_duration_seconds_bucket{${k},le="${b}"} ${s.buckets[i]}`));
      lines.push(`http_request_duration_seconds_bucket{${k},le="+Inf"} ${s.count}`);
      lines.push(`http_request_duration_seconds_sum{${k}} ${s.sum}`);
      lines.push(`http_request_duration_seconds_count{${k}} ${s.count}`);
    }
    for (const g of gauges) {
      lines.push(`# HELP ${g.name} ${g.help}`, `# TYPE ${g.name} gauge`);
      for (const v of g.values) lines.push(`${g.name}${v.labels ? `{${v.labels}}` : ''} ${v.value}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

function escape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
