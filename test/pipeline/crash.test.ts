import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mentions } from '../../src/db/schema.js';
import { receive } from '../../src/pipeline/receive.js';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack.js';
import { exited, spawnCarebot } from '../support/child.js';
import { everydayTweets, tweet } from '../support/mentions.js';
import { createHarness, eventually, type Harness } from '../support/services.js';
import { settled } from '../support/settle.js';

const INBOX = 'C0INBOX001';

// Worker processes share the database with the test, so these need PostgreSQL (embedded PGlite
// has one owner). .ci/run sets TEST_DATABASE_URL.
describe.skipIf(!process.env.TEST_DATABASE_URL)('worker processes that die', () => {
  let slack: FakeSlack;
  let h: Harness;
  const children: ReturnType<typeof spawnCarebot>[] = [];

  beforeAll(async () => {
    slack = await startFakeSlack();
  });
  afterAll(() => slack.close());
  afterEach(async () => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    await h?.close();
    h = undefined!;
    slack.reset();
  });

  const setup = async () => {
    h = await createHarness('postgres', { SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_API_URL: slack.url, SLACK_INBOX_CHANNEL: INBOX });
  };
  const worker = () => {
    const child = spawnCarebot(h.env);
    children.push(child);
    return child;
  };
  const cardFor = (mentionId: number) =>
    slack.messages(INBOX).filter((m) => (m.metadata?.event_payload as { mention_id?: number })?.mention_id === mentionId);
  /**
   * Until nothing more can post a card: every mention notified, no job left in any stage (a
   * killed worker's job counts until another worker takes it back and runs it), and the
   * reconciler has had a round since, queuing nothing again.
   */
  const allNotified = (n: number) =>
    settled(h, `all ${n} mentions notified`, ['ingest', 'analyze', 'notify'], async () => {
      const rows = await h.s.db.select({ state: mentions.state }).from(mentions);
      return rows.length === n && rows.every((r) => r.state === 'notified');
    });

  it('loses nothing and posts no second card when a worker is SIGKILLed while Slack has the card', async () => {
    await setup();
    const held = slack.holdNext('chat.postMessage');
    const first = worker();
    const m = tweet('@brand my account was hacked, please help');
    await receive(h.s, [m]);
    await slack.waitFor((c) => c.method === 'chat.postMessage', 30_000);
    first.kill('SIGKILL');
    await exited(first);
    held.release();

    worker(); // its stalled-job check hands it the dead worker's job
    await allNotified(1);
    const [row] = await h.s.db.select().from(mentions).where(eq(mentions.externalId, m.externalId));
    expect(slack.messages(INBOX)).toHaveLength(1);
    expect(row!.slackTs).toBe(slack.messages(INBOX)[0]!.ts);
    expect(slack.calls.filter((c) => c.method === 'conversations.history').length).toBeGreaterThan(0);
  });

  it('loses nothing and duplicates nothing when workers are killed again and again mid-batch', async () => {
    await setup();
    const batch = everydayTweets(60);
    await receive(h.s, batch);
    for (let round = 0; round < 3; round++) {
      const child = worker();
      const before = slack.messages(INBOX).length;
      await eventually('some progress', () => slack.messages(INBOX).length > before || slack.messages(INBOX).length === 60, 30_000);
      child.kill('SIGKILL');
      await exited(child);
    }
    worker();
    await allNotified(60);
    const rows = await h.s.db.select().from(mentions);
    expect(rows.filter((r) => r.state === 'notified')).toHaveLength(60);
    for (const r of rows) expect(cardFor(r.id)).toHaveLength(1);
    expect(slack.messages(INBOX)).toHaveLength(60);
  });

  it('finishes the active job before exiting on SIGTERM', async () => {
    await setup();
    const held = slack.holdNext('chat.postMessage');
    const child = worker();
    const m = tweet('@brand billing question about my invoice');
    await receive(h.s, [m]);
    await slack.waitFor((c) => c.method === 'chat.postMessage', 30_000);
    child.kill('SIGTERM');
    // It has taken the signal and begun to stop; the held job keeps it. (That it waited for the
    // job, not just that it was slow to go, shows below: only this process could finish it.)
    await eventually('the worker to begin stopping', () => child.output().includes('finishing active jobs, then stopping'));
    expect(child.exitCode).toBeNull();
    held.release();
    expect(await exited(child)).toEqual({ code: 0, signal: null });
    const [row] = await h.s.db.select().from(mentions).where(eq(mentions.externalId, m.externalId));
    expect(row!.state).toBe('notified');
    expect(slack.messages(INBOX)).toHaveLength(1);
    expect(child.output()).toContain('carebot stopped');
  });
});
