import { eq, inArray, sql } from 'drizzle-orm';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { mentions } from '../../src/db/schema.js';
import type { Incoming } from '../../src/mention.js';
import { ingest } from '../../src/pipeline/ingest.js';
import { receive } from '../../src/pipeline/receive.js';
import { isolateRefusedRows, refusesData } from '../../src/pipeline/refused-rows.js';
import { batchJobId, newBatchToken } from '../../src/queues/queues.js';
import { dbKinds } from '../support/db.js';
import { everydayTweets, tweet } from '../support/mentions.js';
import { createHarness, eventually, withFakeSlack } from '../support/services.js';
import { drained, maintenanceRound } from '../support/settle.js';
import { startTcpProxy } from '../support/tcp-proxy.js';

const INBOX = 'C0INBOX001';

/** A generic-webhook mention as its route stores it (docs/webhook.md). */
const hook = (id: string, text: string): Incoming => ({
  platform: 'webhook',
  externalId: `shop/${id}`,
  payload: { source: 'shop', body: { id, text, author: { id: `u-${id}`, handle: `buyer${id}` }, createdAt: new Date().toISOString() } },
});

/** A tweet whose created_at JavaScript reads (year 10000) and PostgreSQL refuses. */
const yearTenThousand = () => {
  const m = tweet('@brand my order is lost (poison date)');
  (m.payload as { tweet: Record<string, unknown> }).tweet.created_at = '+010000-01-01T00:00:00Z';
  return m;
};

/**
 * What the Mention model takes and the database refuses when ingest writes it. The model now
 * bounds every value by its column, so a constraint of the test's own database stands for what
 * a later schema or a future network could still slip through (SQLSTATE 23514).
 */
const INGEST_POISON = `alter table mentions add constraint poison check (state <> 'ingested' or text not like '%poison%')`;
const modelTakesDatabaseRefuses = () => tweet('@brand my order is lost (poison text)');

/** Five good mentions from two networks, about different things (no spike). */
const goodFive = () => [
  ...everydayTweets(3),
  hook(`a${newBatchToken()}`, 'do you ship to Iceland?'),
  hook(`b${newBatchToken()}`, 'love the app'),
];

describe.each(dbKinds)('one poison row among good ones, on %s', (kind) => {
  const t = withFakeSlack();
  const start = async () => {
    t.h = await createHarness(kind, { SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_API_URL: t.slack.url, SLACK_INBOX_CHANNEL: INBOX });
    t.h.startWorkers();
  };
  const cards = () => t.slack.messages(INBOX).filter((m) => !m.thread_ts);
  const rowOf = async (m: Incoming) => (await t.h.s.db.select().from(mentions).where(eq(mentions.externalId, m.externalId)))[0]!;

  /** Each delivery on its own, as webhooks arrive, all within one intake window: one ingest job. */
  const deliverTogether = async (items: Incoming[]) => {
    await Promise.all(items.map((m) => receive(t.h.s, [m])));
    const rows = await t.h.s.db.select({ jobId: mentions.jobId }).from(mentions);
    expect(new Set(rows.map((r) => r.jobId)).size).toBe(1); // one window, one batch
  };

  const expectFiveCardsAndOneRejected = async (poison: Incoming, reason: RegExp) => {
    await eventually('the five good mentions in Slack', () => cards().length === 5);
    const bad = await eventually('the poison row rejected', async () => {
      const r = await rowOf(poison);
      return r.state === 'rejected' && r;
    });
    expect(bad.error).toMatch(reason);
    await drained(t.h, ['ingest', 'analyze', 'notify']);
    const states = await t.h.s.db.select({ state: mentions.state }).from(mentions);
    expect(states.map((s) => s.state).sort()).toEqual(['notified', 'notified', 'notified', 'notified', 'notified', 'rejected']);
    expect(cards()).toHaveLength(5);
  };

  it('rejects a mention dated year 10000 with its reason, and the five others of its window reach Slack', async () => {
    await start();
    const poison = yearTenThousand();
    await deliverTogether([...goodFive(), poison]);
    await expectFiveCardsAndOneRejected(poison, /^invalid twitter payload: .*between 2006-03-01 and tomorrow/);
  });

  it('rejects a row the model takes but the database refuses, and the five others of its batch reach Slack', async () => {
    await start();
    await t.h.s.db.execute(sql.raw(INGEST_POISON));
    const poison = modelTakesDatabaseRefuses();
    await deliverTogether([...goodFive(), poison]);
    await expectFiveCardsAndOneRejected(poison, /^ingest: database: .*"poison".*\(SQLSTATE 23514\)$/);
  });

  // Each later stage writes its batch in bulk too. A constraint of the test's own database stands
  // for whatever a row may hold that the stage's statement is refused for (SQLSTATE 23514).
  it.each([
    ['analyze', `alter table mentions add constraint poison check (state <> 'analyzed' or text not like '%poison%')`, 'analyze'],
    [
      'notify (its update of the batch)',
      `alter table mentions add constraint poison check (state <> 'notified' or text not like '%poison%')`,
      'notify',
    ],
    [
      'notify (its claim of the threads)',
      `alter table slack_threads add constraint poison check (conversation_id not like '%poison%')`,
      'notify',
    ],
  ])('rejects the one row %s is refused for, and the others of its batch reach Slack', async (_, constraint, stage) => {
    await start();
    await t.h.s.db.execute(sql.raw(constraint));
    const poison = hook(`p${newBatchToken()}`, 'my parcel is lost (poison)');
    (poison.payload as { body: Record<string, unknown> }).body.conversationId = `poison-${newBatchToken()}`;
    await deliverTogether([...goodFive(), poison]);
    const bad = await eventually('the poison row rejected', async () => {
      const r = await rowOf(poison);
      return r.state === 'rejected' && r;
    });
    expect(bad.error).toMatch(new RegExp(`^${stage}: database: .*"poison".*\\(SQLSTATE 23514\\)$`));
    await eventually('the five good mentions notified', async () => {
      const rows = await t.h.s.db.select({ state: mentions.state }).from(mentions).where(eq(mentions.state, 'notified'));
      return rows.length === 5;
    });
    await drained(t.h, ['ingest', 'analyze', 'notify']);
    const good = await t.h.s.db.select({ slackTs: mentions.slackTs }).from(mentions).where(eq(mentions.state, 'notified'));
    expect(good.every((r) => r.slackTs && cards().some((c) => c.ts === r.slackTs))).toBe(true);
  });

  it('the reconciler does not get stuck on a poison row: what it queues again goes on without it', async () => {
    await start();
    // Rows stored long ago whose ingest job Redis lost (a flush): only the reconciler will queue them.
    const lost = batchJobId('ingest', newBatchToken());
    await t.h.s.db.execute(sql.raw(INGEST_POISON));
    const items = [modelTakesDatabaseRefuses(), ...goodFive(), yearTenThousand()];
    await t.h.s.db
      .insert(mentions)
      .values(items.map((m) => ({ platform: m.platform, externalId: m.externalId, payload: m.payload, jobId: lost })));
    await t.h.s.db.update(mentions).set({ updatedAt: sql`now() - interval '1 hour'` });
    await eventually('the five good mentions in Slack', () => cards().length === 5, 30_000);
    await eventually('both poison rows rejected', async () => {
      const rows = await t.h.s.db.select().from(mentions).where(eq(mentions.state, 'rejected'));
      return rows.length === 2;
    });
    // Nothing is left for the reconciler: another round queues nothing again.
    await drained(t.h, ['ingest', 'analyze', 'notify']);
    await maintenanceRound(t.h);
    await drained(t.h, ['ingest', 'analyze', 'notify']);
    const states = await t.h.s.db.select({ state: mentions.state, error: mentions.error }).from(mentions);
    expect(states.filter((s) => s.state === 'notified')).toHaveLength(5);
    expect(states.filter((s) => s.state === 'rejected').map((s) => s.error)).toEqual(
      expect.arrayContaining([expect.stringMatching(/SQLSTATE 23514/), expect.stringMatching(/between 2006-03-01 and tomorrow/)]),
    );
    expect(cards()).toHaveLength(5);
  });
});

describe('a refused row is not an outage', () => {
  it('tells a row the database refuses from a database that is away', async () => {
    const refused = await isolateRefusedRows(
      [1, 2, 3, 4, 5],
      async (part) => {
        if (part.includes(4)) throw Object.assign(new Error('integer out of range'), { code: '22003', severity: 'ERROR' });
        return part;
      },
      async (item) => [-item],
    );
    expect(refused).toEqual([1, 2, 3, -4, 5]);

    const away = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:1/none', connectionTimeoutMillis: 2000 });
    const outage = await away.connect().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(outage).toBeDefined();
    expect(refusesData(outage)).toBe(false);
    let blamed = 0;
    await expect(
      isolateRefusedRows(
        [1, 2, 3],
        () => Promise.reject(outage),
        async () => {
          blamed++;
          return [];
        },
      ),
    ).rejects.toBe(outage);
    expect(blamed).toBe(0);
  });

  it.runIf(dbKinds.includes('postgres'))('fails the ingest job, and rejects no row, when PostgreSQL is cut away mid-batch', async () => {
    const admin = new URL(process.env.TEST_DATABASE_URL!);
    const proxy = await startTcpProxy({ host: admin.hostname, port: Number(admin.port || 5432) });
    const h = await createHarness('postgres');
    try {
      const url = new URL(h.config.DATABASE_URL!);
      url.host = `127.0.0.1:${proxy.port}`;
      const h2 = await createHarness('postgres', { DATABASE_URL: url.toString() });
      try {
        const items = [...goodFive(), yearTenThousand()];
        await receive(h2.s, items);
        const ids = (await h2.s.db.select({ id: mentions.id }).from(mentions)).map((r) => r.id);
        proxy.cut();
        await expect(ingest(h2.s, batchJobId('ingest', newBatchToken()), ids)).rejects.toThrow();
        proxy.restore();
        const rows = await h2.s.db.select({ state: mentions.state }).from(mentions).where(inArray(mentions.id, ids));
        expect(rows.map((r) => r.state)).toEqual(ids.map(() => 'received'));
      } finally {
        await h2.close();
      }
    } finally {
      await h.close();
      await proxy.close();
    }
  });
});
