import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { broadcasts } from '../../src/db/schema.js';
import type { SlackMessage } from '../../fakes/slack.js';
import { agentA } from '../slack/inbox-harness.js';
import { exited, spawnCarebot } from '../support/child.js';
import { eventually } from '../support/services.js';
import { settled } from '../support/settle.js';
import { slackListeners } from '../support/slack-listeners.js';
import { incidentSuite } from './incident-harness.js';

// The Slack action is handled here, as in an `http` process: Discord's client is created but
// never logged in. A `--role workers` child process sends. PostgreSQL only (shared with the child).
describe.skipIf(!process.env.TEST_DATABASE_URL)('Broadcast pressed in an http process, sent by a worker process', () => {
  const t = incidentSuite('postgres');
  const listeners = slackListeners();
  const children: ReturnType<typeof spawnCarebot>[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) {
      c.kill('SIGKILL');
      await exited(c);
    }
  });
  const worker = () => children.push(spawnCarebot(t.inbox.h.env));

  /** An incident declared and Broadcast pressed twice (a double click) with no worker running yet. */
  const pressBroadcast = async () => {
    await t.startAll({}, { workers: false, gateway: false });
    const { card, preview } = await t.declare({
      title: 'Login outage',
      keywords: 'login',
      public_text: 'We are investigating problems signing in.',
    });
    await Promise.all([1, 2].map(() => t.inbox.slackEvents.clickInMessage(preview, agentA, 'carebot.incident_broadcast')));
    await eventually('the preview to show who broadcast it', () =>
      JSON.stringify(t.inbox.current(preview).blocks).includes(`Broadcast — <@${agentA.id}>`),
    );
    await listeners.idle(); // both presses handled to the end: whatever they would send, they have
    return card;
  };

  /** The results in the thread say both networks posted it, and each network has it exactly once. */
  const expectSentOnceEach = async (card: SlackMessage) => {
    const results = await eventually(
      'the broadcast results',
      () => t.thread(card).find((m) => m.text.includes('Discord:') && m.text.includes('X:')),
      30_000,
    );
    expect(results.text).toMatch(/:white_check_mark: X: <http[^|]+\|posted>/);
    expect(results.text).toMatch(/:white_check_mark: Discord: <http[^|]+\|posted>/);
    // Until nothing more can send: both rows final, no broadcast job left (waiting, running or
    // retrying), and the reconciler (which queues a pending row's job again) has had a round since.
    await settled(t.inbox.h, 'both broadcasts final', ['broadcast'], async () => {
      const rows = await t.inbox.h.s.db.select({ state: broadcasts.state }).from(broadcasts);
      return rows.length === 2 && rows.every((r) => r.state !== 'pending' && r.state !== 'sending');
    });
    expect(t.x.posted.map((p) => p.text)).toEqual(['We are investigating problems signing in.']);
    const announcements = t.discord.channelId('announcements');
    expect(t.discord.sent.filter((m) => m.channelId === announcements).map((m) => m.content)).toEqual([
      'We are investigating problems signing in.',
    ]);
    expect(t.discord.crossposted).toHaveLength(1);
    const rows = await t.inbox.h.s.db.select().from(broadcasts);
    expect(rows.map((r) => [r.platform, r.state]).sort()).toEqual([
      ['discord', 'sent'],
      ['twitter', 'sent'],
    ]);
    expect(t.thread(card).filter((m) => m.text.includes('Discord:'))).toHaveLength(1);
  };

  it('sends to X and Discord exactly once, from the worker whose Discord gateway is logged in', { timeout: 90_000 }, async () => {
    const card = await pressBroadcast();
    // Nothing went out from the process that took the press; one job waits for a worker.
    expect(t.x.posted).toHaveLength(0);
    expect(t.discord.sent).toHaveLength(0);
    expect(await t.inbox.h.s.queues.broadcast.getJobCountByTypes('waiting')).toBe(1);
    expect((await t.inbox.h.s.db.select().from(broadcasts)).map((r) => r.state)).toEqual(['pending', 'pending']);
    worker();
    await expectSentOnceEach(card);
  });

  it('still broadcasts exactly once when Redis loses the job before a worker takes it', { timeout: 90_000 }, async () => {
    const card = await pressBroadcast();
    const { h } = t.inbox;
    const keys = await h.s.redis.keys(`${h.config.QUEUE_PREFIX}:*`);
    await h.s.redis.del(...keys);
    expect(await h.s.queues.broadcast.getJobCountByTypes('waiting')).toBe(0);
    worker();
    await expectSentOnceEach(card);
    const [row] = await h.s.db.select().from(broadcasts).where(eq(broadcasts.platform, 'discord'));
    expect(row!.requestedBy).toBe(agentA.id);
  });
});
