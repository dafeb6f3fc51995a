// The outage benchmark's table, each figure next to its goal.
import type { Machine } from './machine.js';
import type { OutageFigures } from './outage.js';
import type { SendStats } from './outage-send.js';

/** Slack's pace per channel: about one message a second, bursts of SLACK_CHANNEL_BURST (4). */
export const outageGoals = { alertWithinS: 30, peak1s: 4, peak60s: 64 } as const;

export interface OutageReport extends OutageFigures {
  db: string;
  date: string;
  machine: Machine;
  plan: {
    n: number;
    seconds: number;
    declareAt: number;
    quietMinutes: number;
    quietPerMinute: number;
    xShare: number;
    discordShare: number;
    oneChannel: boolean;
    seed: number;
  };
  quiet: { mentions: number; spikes: number };
  sent: SendStats;
  /** When the last outage mention was analyzed (counted by the spike detector) / notified, ms after the first was due. */
  analyzedAfterMs: number;
  notifiedAfterMs: number | null;
  seconds: number;
}

const n = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en') : '—');
const s = (ms: number | null | undefined) =>
  ms === null || ms === undefined || !Number.isFinite(ms) ? '—' : `${(ms / 1000).toFixed(1)} s`;
const mark = (ok: boolean) => (ok ? 'ok' : 'MISS');

export function printOutage(r: OutageReport): void {
  const m = r.machine;
  const lines: string[] = [];
  const row = (figure: string, measured: string, goal = '', ok?: boolean) =>
    lines.push(`${figure.padEnd(52)} ${measured.padEnd(26)} ${goal.padEnd(24)} ${ok === undefined ? '' : mark(ok)}`.trimEnd());

  lines.push('');
  lines.push(`carebot outage bench · ${r.db} · ${r.date} · ${r.seconds} s`);
  lines.push(
    `machine: ${m.cores} × ${m.cpu}, ${m.memory_gb} GB, load ${m.loadavg_at_start.join(' ')} at start; Node ${m.node}, Redis ${m.redis}, PostgreSQL ${m.postgres}, PGlite ${m.pglite}, BullMQ ${m.bullmq}`,
  );
  lines.push(
    `quiet hours: ${r.plan.quietMinutes / 60} h replayed (${n(r.quiet.mentions)} mentions, real support tweets), spikes raised: ${r.quiet.spikes}`,
  );
  const p = r.stored.byPlatform;
  lines.push(
    `outage: ${n(r.plan.n)} mentions due over ${r.plan.seconds} s, handed over in ${s(r.sent.lastSentMs)}, ${r.sent.retried} retried, ${r.sent.lost} lost; ` +
      `webhook answers p50 ${r.sent.webhookP50} ms, p99 ${r.sent.webhookP99} ms`,
  );
  if (r.sent.reasons.length) lines.push(`  attempts failed because: ${r.sent.reasons.join('; ')}`);
  lines.push('');
  row('figure', 'measured', 'goal');
  lines.push('-'.repeat(108));
  row('mentions stored', `${n(r.stored.total)} / ${n(r.plan.n)}`, 'all', r.stored.total === r.plan.n);
  row(`  by network (webhook / X / Discord)`, `${n(p.webhook ?? 0)} / ${n(p.twitter ?? 0)} / ${n(p.discord ?? 0)}`);
  row('  last one stored, after the first was due', s(r.stored.lastAfterMs));
  row('  last one analyzed (counted by the detector)', s(r.analyzedAfterMs));
  row(
    '  last one notified (card posted, or collapsed/linked)',
    r.notifiedAfterMs === null ? 'stuck: none got through for 30 s' : s(r.notifiedAfterMs),
  );
  row('  batches through the stages (mentions per batch)', `${n(r.fate.batches)} (${(r.stored.total / r.fate.batches).toFixed(1)})`);
  const f = r.fate;
  row(
    'mentions accounted for (spike, incident, card, spam)',
    `${n(f.accounted)} / ${n(r.stored.total)}`,
    'all',
    f.accounted === r.stored.total,
  );
  row('  linked to a spike or the incident / to the incident', `${n(f.linked)} / ${n(f.incident)}`);
  row('  own card / spam (no card)', `${n(f.card)} / ${n(f.spam)}`);
  row('  not through notify when measured', n(f.waiting), '0', f.waiting === 0);
  row(
    'alert after the first outage mention was due',
    s(r.alertAfterMs),
    `≤ ${outageGoals.alertWithinS} s`,
    r.alertAfterMs !== null && r.alertAfterMs <= outageGoals.alertWithinS * 1000,
  );
  row('alert cards for the one outage', String(r.spikes.length), '1', r.spikes.length === 1);
  // The first spike is the outage's. True: the outage mentions naming its term that carebot's
  // triage counts toward spikes (negative, or an outage); naming: all that name it.
  for (const [i, sp] of r.spikes.entries()) {
    const shown = sp.shown?.headline ?? NaN;
    row(
      `spike '${sp.term}' (opened ${s(sp.openedAfterMs)}, alert ${s(sp.alertAfterMs)})`,
      `card ${n(shown)}, true ${n(sp.countedTerm)}`,
      i ? '' : 'card = true',
      i ? undefined : shown === sp.countedTerm,
    );
    row(`  naming '${sp.term}' / collapsed into its thread`, `${n(sp.namingTerm)} / ${n(sp.shown?.collapsed ?? NaN)}`);
    row(`  its terms`, sp.terms.join(', '));
  }
  if (r.incident && 'error' in r.incident) row('incident', `not declared: ${r.incident.error}`);
  else if (r.incident) {
    const i = r.incident;
    row(
      `incident (declared ${s(i.clickedAfterMs)}, card ${s(i.cardAfterMs)})`,
      `card ${n(i.shownLinked)}, true ${n(i.linked)}`,
      'card = true',
      i.shownLinked === i.linked,
    );
    row('  its keywords (prefilled from the spike)', i.keywords.join(', '));
    const e = i.earlierLinked;
    row('  ordinary mentions from before the outage linked', `${n(e.all)} (${n(e.writtenInTheHourBefore)} of the last hour)`);
    for (const t of e.samples.slice(0, 3)) lines.push(`    e.g. "${t.replace(/\s+/g, ' ').slice(0, 90)}"`);
    row(
      '  broadcast (X posts / Discord messages)',
      `${i.postedOnX} / ${i.postedOnDiscord}`,
      '1 / 1',
      i.postedOnX === 1 && i.postedOnDiscord === 1,
    );
    lines.push(`    carebot's report: ${i.broadcast.replace(/\n/g, ' | ')}`);
  }
  for (const c of r.slack) {
    if (!c.posts && !c.updates) continue;
    row(
      `Slack #${c.name}: messages, peak in 1 s / in 60 s`,
      `${c.posts}, ${c.peak1s} / ${c.peak60s}`,
      `≤ ${outageGoals.peak1s} / ≤ ${outageGoals.peak60s}`,
      c.peak1s <= outageGoals.peak1s && c.peak60s <= outageGoals.peak60s,
    );
    row(`  cards edited (chat.update)`, String(c.updates));
  }
  lines.push('');
  lines.push(
    `final row states: ${Object.entries(r.states)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  console.log(lines.join('\n'));
}
