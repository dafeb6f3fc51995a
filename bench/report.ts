// The table on stdout and the JSON file.
import { writeFileSync } from 'node:fs';
import type { Machine } from './machine.js';
import type { Latency, Throughput } from './measure.js';
import { round } from './stats.js';
import type { DbKind } from './target.js';

export const goals = { ratio: 0.5, p99_ms: 500, rss_mb: 250, latency_rate: 200, rss_after: 100_000 } as const;

/** The figures the issue asks for, plus what they were computed from. */
export interface Result {
  db: DbKind;
  pipeline_mps: number;
  raw_bullmq_jps: number;
  ratio: number;
  p50_ms: number;
  p99_ms: number;
  rss_mb: number;
  detail: {
    pipeline_runs: Throughput[];
    raw_runs: Throughput[];
    latency: Latency;
    /** How many mentions the measured worker process had handled when its RSS was read. */
    rss_after_mentions: number;
    rss_at_start_mb: number;
    peak_rss_mb: number;
    heap_used_mb: number;
    final_states: Record<string, number>;
    worker_process: string;
  };
}

export interface Report {
  results: Result[];
  machine: Machine;
  date: string;
  data: string;
  mode: 'full' | 'quick';
  goals: typeof goals;
  skipped: string[];
  seconds: number;
}

const pad = (s: string, n: number) => s.padEnd(n);
const lpad = (s: string, n: number) => s.padStart(n);
const mark = (ok: boolean) => (ok ? 'ok ' : 'MISS');

export function printReport(r: Report): void {
  const m = r.machine;
  const lines: string[] = [];
  lines.push('');
  lines.push(`carebot bench (${r.mode}) · ${r.date} · ${Math.round(r.seconds)} s`);
  lines.push(
    `machine: ${m.cores} × ${m.cpu}, ${m.memory_gb} GB, ${m.os}; Node ${m.node}, Redis ${m.redis}, PostgreSQL ${m.postgres}, PGlite ${m.pglite}, BullMQ ${m.bullmq}`,
  );
  lines.push(`data: ${r.data}`);
  lines.push('');
  const head = [
    pad('db', 9),
    lpad('pipeline/s', 11),
    lpad('raw BullMQ/s', 13),
    lpad('ratio', 7),
    pad('  (≥ 0.5)', 9),
    lpad('p50 ms', 8),
    lpad('p99 ms', 8),
    pad('  (≤ 500 @200/s)', 17),
    lpad('RSS MB', 8),
    pad('  (≤ 250 @100k)', 15),
  ].join(' ');
  lines.push(head);
  lines.push('-'.repeat(head.length));
  for (const x of r.results) {
    const rssNote = x.detail.rss_after_mentions < goals.rss_after ? ` @${Math.round(x.detail.rss_after_mentions / 1000)}k` : '';
    lines.push(
      [
        pad(x.db, 9),
        lpad(String(x.pipeline_mps), 11),
        lpad(String(x.raw_bullmq_jps), 13),
        lpad(x.ratio.toFixed(3), 7),
        pad(`  ${mark(x.ratio >= goals.ratio)}`, 9),
        lpad(String(x.p50_ms), 8),
        lpad(String(x.p99_ms), 8),
        pad(`  ${mark(x.p99_ms <= goals.p99_ms)}`, 17),
        lpad(String(x.rss_mb), 8),
        pad(`  ${mark(x.rss_mb <= goals.rss_mb)}${rssNote}`, 15),
      ].join(' '),
    );
  }
  lines.push('');
  for (const x of r.results) {
    const d = x.detail;
    const runs = (t: Throughput[]) => t.map((v) => `${Math.round(v.perSecond)}`).join(', ');
    lines.push(`${x.db}:`);
    lines.push(`  throughput runs (mentions/s, ${d.pipeline_runs[0]?.n ?? 0} each): ${runs(d.pipeline_runs)} → median ${x.pipeline_mps}`);
    lines.push(
      `  raw BullMQ runs (jobs/s, ${d.raw_runs[0]?.n ?? 0} each, same Redis, no-op, same concurrency): ${runs(d.raw_runs)} → median ${x.raw_bullmq_jps}`,
    );
    const l = d.latency;
    lines.push(
      `  latency at ${l.offeredPerSecond}/s offered for ${l.seconds} s: ${l.cards}/${l.sent} got a Slack message (spam gets none), ` +
        `delivered ${round(l.achievedPerSecond)}/s; p50 ${round(l.p50)} ms, p90 ${round(l.p90)} ms, p99 ${round(l.p99)} ms, max ${round(l.max)} ms`,
    );
    lines.push(
      `  worker RSS: ${d.rss_at_start_mb} MB at start → ${x.rss_mb} MB after ${d.rss_after_mentions} mentions (peak ${d.peak_rss_mb} MB, JS heap ${d.heap_used_mb} MB); ${d.worker_process}`,
    );
    lines.push(
      `  final row states: ${Object.entries(d.final_states)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
  }
  for (const s of r.skipped) lines.push(`skipped: ${s}`);
  console.log(lines.join('\n'));
}

export function writeJson(path: string, r: unknown): void {
  writeFileSync(path, `${JSON.stringify(r, null, 2)}\n`);
}
