/**
 * What the benches ask a running collector besides reports: how long its summaries take to follow
 * what was stored (from /metrics, which does not itself start a pass), what today's summary counts,
 * and how long the read endpoints take to answer.
 */
import http from 'node:http';

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      })
      .on('error', reject);
  });
}

async function pendingDays(url: string): Promise<number> {
  const m = /^collector_summary_pending_days (\d+)$/m.exec((await get(`${url}/metrics`)).body);
  return m ? Number(m[1]) : NaN;
}

/**
 * Milliseconds until no day's summary waits for a stored change, or null after `timeoutMs`. Polled
 * every 50 ms, or four times as long as the last answer took: the pending-days gauge reads every
 * row not yet summarized, and polled back to back it would slow the very catch-up it times.
 */
export async function summariesFollow(url: string, timeoutMs: number): Promise<number | null> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    const asked = performance.now();
    if ((await pendingDays(url)) === 0) return performance.now() - started;
    await new Promise((r) => setTimeout(r, Math.max(50, 4 * (performance.now() - asked))));
  }
  return null;
}

/** The instances today's published summary counts. */
export async function todayInstances(url: string): Promise<number> {
  const days = (JSON.parse((await get(`${url}/api/summary?days=1`)).body) as { days: { instances: number }[] }).days;
  return days.at(-1)?.instances ?? 0;
}

/** Median and slowest answer time of `path` over `runs` sequential requests, and the size of the last answer. */
export async function timeGet(url: string, path: string, runs: number): Promise<{ medianMs: number; maxMs: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const answer = await get(`${url}${path}`);
    times.push(performance.now() - started);
    if (answer.status !== 200) throw new Error(`${path} answered ${answer.status}`);
    bytes = Buffer.byteLength(answer.body);
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)]!, maxMs: times[times.length - 1]!, bytes };
}
