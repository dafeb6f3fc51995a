// npm run bench:outage [-- --db postgres|pglite] [--json FILE] [--n 10000] [--seconds 60]
//                      [--declare-at 30] [--quiet-hours 3] [--quiet-per-minute 4] [--one-channel]
//
// An outage as carebot would live through it: first some quiet hours of ordinary traffic (real
// support tweets, timestamps in the past) so the spike detector has learned what is usual, then
// 10,000 complaints within a minute from thousands of customers, by the generic signed webhook,
// the X mention timeline and Discord, with an agent declaring an incident from the alert half-way
// through. carebot runs as in production (the compiled CLI with PostgreSQL, or one process with
// PGlite) on the real Redis, against the sandbox's loopback Slack, X and Discord. See
// bench/outage-report.ts for the figures and their goals.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { countsTowardSpikes } from '../src/spikes/collapse.js';
import { termsOf } from '../src/spikes/terms.js';
import type { TriageResult } from '../src/triage/index.js';
import { channels, startWorld, type World } from '../sandbox/world.js';
import { supportTexts } from './data.js';
import { createBenchDatabase, postgresVersion, type BenchDatabase } from './database.js';
import { describeMachine } from './machine.js';
import { startCarebot, type Carebot, type CarebotSetup } from './outage-carebot.js';
import { declareFromAlert, type Declared } from './outage-incident.js';
import { printOutage, type OutageReport } from './outage-report.js';
import { deliverer, sendOnSchedule } from './outage-send.js';
import { alertCard, alertPosts, channelTraffic, shownOnAlert, shownOnIncident } from './outage-slack.js';
import { outage, quietHours, type Delivery } from './outage-traffic.js';
import { writeJson } from './report.js';
import { benchScript } from './script.js';
import { round, sleep } from './stats.js';
import type { DbKind } from './target.js';
import { buildCli } from './worker-process.js';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    db: { type: 'string', default: 'postgres' },
    json: { type: 'string' },
    n: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '60' },
    'declare-at': { type: 'string', default: '30' },
    'quiet-hours': { type: 'string', default: '3' },
    'quiet-per-minute': { type: 'string', default: '4' },
    'x-share': { type: 'string', default: '0.15' },
    'discord-share': { type: 'string', default: '0.05' },
    'one-channel': { type: 'boolean', default: false },
    seed: { type: 'string', default: '6' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});
if (args.help) {
  console.log(`usage: npm run bench:outage -- [--db postgres|pglite] [--json FILE] [--n MENTIONS] [--seconds S]
       [--declare-at S (0: no incident)] [--quiet-hours H] [--quiet-per-minute N] [--x-share F] [--discord-share F]
       [--one-channel (alerts and incidents in the inbox channel, carebot's defaults)] [--seed N]`);
  process.exit(0);
}
if (args.db !== 'postgres' && args.db !== 'pglite') throw new Error(`--db: expected postgres or pglite, got '${args.db}'`);
const kind: DbKind = args.db;
const plan = {
  n: Number(args.n),
  seconds: Number(args.seconds),
  declareAt: Number(args['declare-at']),
  quietMinutes: Number(args['quiet-hours']) * 60,
  quietPerMinute: Number(args['quiet-per-minute']),
  xShare: Number(args['x-share']),
  discordShare: Number(args['discord-share']),
  oneChannel: args['one-channel'],
  seed: Number(args.seed),
};

const { startedAt, log, cleanups, cleanup, run } = benchScript('outage');
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Polls `check` until it answers; `what` names it in the error after `timeoutMs`. */
async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs: number, everyMs = 250): Promise<T> {
  for (const end = Date.now() + timeoutMs; ; await sleep(everyMs)) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`outage bench: timed out after ${timeoutMs / 1000} s waiting for ${what}`);
  }
}

/** Notify waiting this long with no mention getting through is stuck, not slow. */
const STALL_MS = 30_000;

/**
 * When `left()` reaches 0, or null once it has not fallen for `stallMs`: own cards go out at
 * Slack's pace (a card a second per channel), so a fixed deadline would call a long queue lost.
 */
async function drained(left: () => Promise<number>, stallMs: number): Promise<number | null> {
  let last = Infinity;
  let movedAt = Date.now();
  for (;;) {
    const n = await left();
    if (n === 0) return Date.now();
    if (n < last) [last, movedAt] = [n, Date.now()];
    else if (Date.now() - movedAt > stallMs) return null;
    await sleep(500);
  }
}

const one = async <T>(c: Carebot, text: string) => (await c.sql<T>(text))[0]!;
const unanalyzed = (c: Carebot) =>
  one<{ n: number }>(c, `select count(*)::int as n from mentions where state in ('received', 'ingested')`).then((r) => r.n);
const inFlight = (c: Carebot) =>
  one<{ n: number }>(c, `select count(*)::int as n from mentions where state not in ('notified', 'rejected', 'failed')`).then((r) => r.n);

/** The quiet hours, replayed in time order with Slack's pace off; returns what they left behind. */
async function replayQuietHours(world: World, carebot: Carebot) {
  const deliver = deliverer(world, carebot.url);
  const chunks = quietHours(supportTexts().texts, {
    endsAt: Date.now() - 60_000,
    minutes: plan.quietMinutes,
    perMinute: plan.quietPerMinute,
    chunkMinutes: 5,
    seed: plan.seed,
  });
  for (const chunk of chunks) {
    await Promise.all(chunk.map(deliver));
    await until('a quiet chunk to be analyzed', async () => (await unanalyzed(carebot)) === 0, 60_000, 50);
  }
  // A few on X at the end: the poller has its cursor, as after hours of running.
  const onX: Delivery[] = Array.from({ length: 20 }, (_, i) => ({
    network: 'x',
    text: 'how do I change the email on my account?',
    authorId: String(900_000 + i),
    handle: `asker${i}`,
    createdAt: new Date(Date.now() - 30_000),
  }));
  await Promise.all(onX.map(deliver));
  await until(
    'the quiet tweets to be polled',
    async () => (await one<{ n: number }>(carebot, `select count(*)::int as n from mentions where platform = 'twitter'`)).n >= onX.length,
    60_000,
  );
  await until('the quiet hours to be notified', async () => (await inFlight(carebot)) === 0, 120_000);
  const { n: mentions } = await one<{ n: number }>(carebot, 'select count(*)::int as n from mentions');
  const { n: spikes } = await one<{ n: number }>(carebot, 'select count(*)::int as n from spikes');
  return { mentions, spikes };
}

async function main(): Promise<void> {
  if (kind === 'postgres') {
    log('building dist/ (npm run build)');
    buildCli();
  }
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  cleanups.push(async () => redis.disconnect());
  const queuePrefix = `outage${randomBytes(4).toString('hex')}`;
  cleanups.push(async () => {
    const keys = await redis.keys(`${queuePrefix}:*`);
    if (keys.length) await redis.unlink(...keys);
    log(`removed ${keys.length} Redis keys under ${queuePrefix}:*`);
  });
  const pgInfo = await postgresVersion();
  const machine = await describeMachine(redis, 'version' in pgInfo ? pgInfo.version : `unreachable (${pgInfo.error})`);
  let database: BenchDatabase | undefined;
  if (kind === 'postgres') {
    if ('error' in pgInfo) throw new Error(`PostgreSQL unreachable: ${pgInfo.error} (or run with --db pglite)`);
    database = await createBenchDatabase();
    cleanups.push(() => database!.drop());
  }
  const dir = mkdtempSync(join(tmpdir(), 'carebot-outage-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const world = await startWorld();
  cleanups.push(() => world.close());
  const setup: CarebotSetup = { kind, world, redisUrl, queuePrefix, dir, databaseUrl: database?.url, oneChannel: plan.oneChannel };

  log(`${kind}: carebot with Slack's pace off; replaying ${plan.quietMinutes / 60} quiet hours (~${plan.quietPerMinute}/min)`);
  let carebot = await startCarebot(setup, false);
  cleanups.push(() => carebot.stop());
  const quiet = await replayQuietHours(world, carebot);
  log(`quiet hours: ${quiet.mentions} mentions, ${quiet.spikes} spike(s); restarting carebot with Slack's production pace`);
  await carebot.stop();
  await until('the old Discord session to close', async () => world.discord.connections === 0, 30_000);
  carebot = await startCarebot(setup, true);
  await until('carebot on the Discord gateway', async () => world.discord.connections > 0, 60_000);
  // Discord's READY comes after the socket opens: a question through it shows the bot is listening.
  const deliver = deliverer(world, carebot.url);
  await deliver({
    network: 'discord',
    text: 'how do I change the email on my account?',
    authorId: '990001',
    handle: 'asker_d',
    createdAt: new Date(),
  });
  await until(
    'the Discord question to be stored',
    async () => (await one<{ n: number }>(carebot, `select count(*)::int as n from mentions where platform = 'discord'`)).n > 0,
    60_000,
  );
  await until('the quiet traffic to be notified', async () => (await inFlight(carebot)) === 0, 60_000);

  const callsBefore = world.slack.calls.length;
  const t0 = Date.now() + 1000;
  const deliveries = outage({
    n: plan.n,
    t0,
    seconds: plan.seconds,
    xShare: plan.xShare,
    discordShare: plan.discordShare,
    seed: plan.seed,
  });
  log(
    `outage: ${plan.n} mentions over ${plan.seconds} s (${deliveries.filter((d) => d.network === 'webhook').length} webhook, ${deliveries.filter((d) => d.network === 'x').length} X, ${deliveries.filter((d) => d.network === 'discord').length} Discord)`,
  );

  let declared: Declared | { error: string } | undefined;
  const incident =
    plan.declareAt > 0
      ? (async () => {
          await sleep(t0 + plan.declareAt * 1000 - Date.now());
          await until(
            'an alert card to declare the incident from',
            async () => alertPosts(world.slack.calls.slice(callsBefore))[0],
            120_000,
            200,
          );
          // The agent picks the alert that shows the most mentions.
          const cards = alertPosts(world.slack.calls.slice(callsBefore)).map((a) => alertCard(world.slack, a.spikeId)!);
          const biggest = cards.reduce((a, b) => (shownOnAlert(b).headline > shownOnAlert(a).headline ? b : a));
          log(`declaring an incident from the alert "${biggest.text}"`);
          declared = await declareFromAlert(world, carebot.url, biggest);
        })().catch((err: Error) => {
          declared = { error: err.message };
        })
      : Promise.resolve();
  const sent = await sendOnSchedule(deliveries, deliver);
  log(
    `sent: ${sent.sent} (${sent.retried} retried, ${sent.lost} lost) in ${(sent.lastSentMs / 1000).toFixed(1)} s; webhook answers p50 ${sent.webhookP50} ms, p99 ${sent.webhookP99} ms`,
  );

  const outageRows = `from mentions where received_at >= to_timestamp(${t0 / 1000})`;
  const stored = await until(
    `all ${plan.n} mentions to be stored`,
    async () => {
      const { n } = await one<{ n: number }>(carebot, `select count(*)::int as n ${outageRows}`);
      return n >= plan.n && n;
    },
    90_000,
    500,
  ).catch(async () => (await one<{ n: number }>(carebot, `select count(*)::int as n ${outageRows}`)).n);
  log(`stored: ${stored}; waiting for analysis`);
  await until('every outage mention to be analyzed', async () => (await unanalyzed(carebot)) === 0, 300_000, 500);
  const analyzedAt = Date.now();
  log('analyzed; waiting for notify');
  const notifiedAt = await drained(() => inFlight(carebot), STALL_MS);
  await incident;
  // The alert is edited on the next spike round (every 15 s), the incident thread every 5 s.
  log('waiting 20 s for the alert to show the last count');
  await sleep(20_000);

  const figures = await measure(world, carebot, { t0, callsBefore, outageRows, declared });
  const report: OutageReport = {
    db: kind,
    date: new Date().toISOString(),
    machine,
    plan,
    quiet,
    sent,
    analyzedAfterMs: analyzedAt - t0,
    notifiedAfterMs: notifiedAt && notifiedAt - t0,
    ...figures,
    seconds: round((Date.now() - startedAt) / 1000),
  };
  await cleanup();
  printOutage(report);
  if (args.json) {
    writeJson(resolve(args.json), report);
    log(`wrote ${resolve(args.json)}`);
  }
}

async function measure(
  world: World,
  carebot: Carebot,
  m: { t0: number; callsBefore: number; outageRows: string; declared: Declared | { error: string } | undefined },
) {
  const ms = (column: string) => `(extract(epoch from ${column}) * 1000)::float8`;
  const { lastStored } = await one<{ lastStored: number }>(carebot, `select max(${ms('received_at')}) as "lastStored" ${m.outageRows}`);
  const byPlatform = await carebot.sql<{ platform: string; n: number }>(
    `select platform, count(*)::int as n ${m.outageRows} group by platform order by platform`,
  );
  const states = await carebot.sql<{ state: string; n: number }>(
    `select state, count(*)::int as n ${m.outageRows} group by state order by state`,
  );
  // A spike's mentions join the incident declared from it: linked = to either.
  // Batch jobs are named after their batch (`notify-<token>-P2`): how the stages carried the outage.
  const fate = await one<{
    linked: number;
    incident: number;
    card: number;
    spam: number;
    accounted: number;
    waiting: number;
    batches: number;
  }>(
    carebot,
    `select count(*) filter (where spike_id is not null or incident_id is not null)::int as linked, count(*) filter (where incident_id is not null)::int as incident,
            count(distinct split_part(job_id, '-', 2))::int as batches,
            count(*) filter (where slack_ts is not null)::int as card, count(*) filter (where (triage->>'spam')::boolean)::int as spam,
            count(*) filter (where spike_id is not null or incident_id is not null or slack_ts is not null or (triage->>'spam')::boolean)::int as accounted,
            count(*) filter (where state = 'analyzed')::int as waiting ${m.outageRows}`,
  );
  const spikes = await carebot.sql<{ id: number; term: string; terms: string[]; count: number; peak: number; openedAt: number }>(
    `select id::int, term, terms, count::int, peak::int, ${ms('opened_at')} as "openedAt" from spikes order by id`,
  );
  const incidents = await carebot.sql<{ id: number; keywords: string[]; linked: number }>(
    `select i.id::int, i.keywords, (select count(*)::int from mentions where incident_id = i.id) as linked from incidents i order by i.id`,
  );
  // Ordinary traffic from before the outage that the incident took as its own (at declaration it
  // links what it would have taken in the hour before the spike); only that hour's would be recent
  // in production, where the quiet hours were not all received minutes ago.
  const before = `from mentions where incident_id is not null and received_at < to_timestamp(${m.t0 / 1000})`;
  const { n: earlierLinked, lastHour } = await one<{ n: number; lastHour: number }>(
    carebot,
    `select count(*)::int as n, count(*) filter (where created_at >= to_timestamp(${m.t0 / 1000 - 3600}))::int as "lastHour" ${before}`,
  );
  const earlierSamples = (await carebot.sql<{ text: string }>(`select text ${before} order by id limit 5`)).map((r) => r.text);

  const calls = world.slack.calls.slice(m.callsBefore);
  const alerts = alertPosts(calls);
  // What a spike's card should count: the outage mentions naming its term (as the detector reads
  // words) that triage counts toward spikes; and all that name it, whatever their triage.
  const rows = (await carebot.sql<{ text: string; triage: TriageResult }>(`select text, triage ${m.outageRows}`)).map((r) => ({
    terms: termsOf(r.text),
    counted: countsTowardSpikes(r.triage),
  }));
  const naming = (term: string) => rows.filter((r) => r.terms.includes(term)).length;
  const counted = (term: string) => rows.filter((r) => r.counted && r.terms.includes(term)).length;
  const declared = m.declared && 'card' in m.declared ? m.declared : undefined;
  const incidentCard = declared && world.slack.messages(declared.card.channel).find((c) => c.ts === declared.card.ts);
  return {
    stored: {
      total: byPlatform.reduce((a, r) => a + r.n, 0),
      byPlatform: Object.fromEntries(byPlatform.map((r) => [r.platform, r.n])),
      lastAfterMs: round(lastStored - m.t0),
    },
    states: Object.fromEntries(states.map((r) => [r.state, r.n])),
    fate,
    alertAfterMs: alerts[0] ? alerts[0].at - m.t0 : null,
    spikes: spikes.map((sp) => {
      const card = alertCard(world.slack, sp.id);
      return {
        id: sp.id,
        term: sp.term,
        terms: sp.terms,
        openedAfterMs: round(sp.openedAt - m.t0),
        alertAfterMs: (alerts.find((a) => a.spikeId === sp.id)?.at ?? NaN) - m.t0,
        shown: card ? shownOnAlert(card) : null,
        detectorCount: sp.count,
        countedTerm: counted(sp.term),
        namingTerm: naming(sp.term),
      };
    }),
    incident: declared
      ? {
          clickedAfterMs: declared.clickedAt - m.t0,
          cardAfterMs: declared.cardAt - m.t0,
          shownLinked: incidentCard ? shownOnIncident(incidentCard) : NaN,
          linked: incidents[0]?.linked ?? 0,
          keywords: incidents[0]?.keywords ?? [],
          earlierLinked: { all: earlierLinked, writtenInTheHourBefore: lastHour, samples: earlierSamples },
          broadcast: declared.broadcast,
          postedOnX: world.x.posted.filter((p) => !p.inReplyTo).length,
          postedOnDiscord: world.discord.sent.length,
        }
      : m.declared && 'error' in m.declared
        ? { error: m.declared.error }
        : null,
    slack: channelTraffic(calls, channels),
  };
}

export type OutageFigures = Awaited<ReturnType<typeof measure>>;

run(main);
