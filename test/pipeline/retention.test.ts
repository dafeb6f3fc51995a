import { asc, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/index.js';
import { openDatabase, type Database, type Db } from '../../src/db/open.js';
import { auditLog, corrections, incidents, mentions, replies, slackThreads } from '../../src/db/schema.js';
import type { MentionInsert, ThreadRow } from '../../src/db/rows.js';
import { applyRetention, ensureRetentionSchedule } from '../../src/pipeline/retention.js';
import { createLogger } from '../../src/shared/log.js';
import { startRetentionWorker } from '../../workers/retention.js';
import { createTestDb, dbKinds, type TestDb } from '../support/db.js';
import { memoryLog } from '../support/log.js';
import { createHarness, type Harness } from '../support/services.js';
import { finished } from '../support/settle.js';

const DAY = 24 * 3600 * 1000;
const now = new Date();
const OLD = new Date(now.getTime() - 40 * DAY);
const RECENT = new Date(now.getTime() - 3 * DAY);

let seq = 0;
/** A mention as the pipeline leaves it: notified (carded) unless told otherwise, with its payload and text. */
async function mention(db: Db, conversationId: string | null, at: Date, extra: Partial<MentionInsert> = {}) {
  const externalId = String(++seq);
  const text = `words of ${conversationId ?? 'nobody'} #${seq}`;
  const [row] = await db
    .insert(mentions)
    .values({
      platform: 'twitter',
      externalId,
      state: 'notified',
      payload: { tweet: { id: externalId, text } },
      conversationId,
      authorId: `author-${seq}`,
      authorHandle: `handle${seq}`,
      text,
      receivedAt: at,
      createdAt: at,
      ...extra,
    })
    .returning();
  return row!;
}

async function thread(db: Db, conversationId: string, rootMentionId: number, status: ThreadRow['status'], at: Date) {
  await db.insert(slackThreads).values({
    platform: 'twitter',
    conversationId,
    rootMentionId,
    channel: 'C0INBOX001',
    threadTs: `${rootMentionId}.0001`,
    status,
    createdAt: at,
    updatedAt: at,
  });
}

const reply = (db: Db, mentionId: number, state: 'sent' | 'pending', at: Date) =>
  db.insert(replies).values({
    idempotencyKey: `k-${mentionId}-${state}`,
    mentionId,
    platform: 'twitter',
    text: 'Hi there, sorted!',
    state,
    createdAt: at,
    updatedAt: at,
  });

describe.each(dbKinds)('RETENTION_DAYS on %s', (kind) => {
  let test: TestDb | undefined;
  let database: Database | undefined;
  afterEach(async () => {
    await database?.close();
    await test?.drop();
    database = test = undefined;
  });
  const open = async (env: Record<string, string> = { RETENTION_DAYS: '30' }) => {
    test = await createTestDb(kind);
    database = await openDatabase(test.url ? { url: test.url } : { pglite: test.pglite });
    await database.migrate();
    const config = loadConfig(env);
    const out = memoryLog();
    return { s: { config, db: database.db, log: createLogger(config, out) }, out };
  };

  it('erases closed conversations and past messages nobody works on, purges old payloads, and leaves open and in-flight work alone', async () => {
    const { s, out } = await open();
    const { db } = s;
    // Erased: a resolved and a spam conversation, quiet for 40 days; a message collapsed into a spike 40 days ago.
    const closed = [await mention(db, 'c-closed', OLD), await mention(db, 'c-closed', OLD)];
    await thread(db, 'c-closed', closed[0]!.id, 'resolved', OLD);
    await reply(db, closed[1]!.id, 'sent', OLD);
    await db.insert(corrections).values({ mentionId: closed[0]!.id, category: 'shipping', by: 'U0AGENT', at: OLD });
    const spam = await mention(db, 'c-spam', OLD);
    await thread(db, 'c-spam', spam.id, 'spam', OLD);
    const collapsed = await mention(db, 'c-spike', OLD);
    // Payload purged, the rest kept: an old message of a resolved conversation the customer wrote in 3 days ago.
    const lively = [await mention(db, 'c-lively', OLD), await mention(db, 'c-lively', RECENT)];
    await thread(db, 'c-lively', lively[0]!.id, 'resolved', RECENT);
    // Untouched: an open conversation, a resolved one whose reply has not gone out, a row in flight,
    // one an open incident's follow-up will answer, and a recent one.
    const open40 = await mention(db, 'c-open', OLD);
    await thread(db, 'c-open', open40.id, 'assigned', OLD);
    const unsent = await mention(db, 'c-unsent', OLD);
    await thread(db, 'c-unsent', unsent.id, 'resolved', OLD);
    await reply(db, unsent.id, 'pending', OLD);
    const inFlight = await mention(db, null, OLD, { state: 'analyzed' });
    const [incident] = await db.insert(incidents).values({ title: 'Outage', createdBy: 'U0AGENT' }).returning();
    const awaited = await mention(db, 'c-incident', OLD, { incidentId: incident!.id });
    const recent = await mention(db, 'c-recent', RECENT);
    const untouched = [lively[1]!, open40, unsent, inFlight, awaited, recent];
    const load = async (id: number) => (await db.select().from(mentions).where(eq(mentions.id, id)))[0]!;
    const before = await Promise.all(untouched.map((m) => load(m.id)));

    const result = await applyRetention(s, now);
    expect(result).toEqual({ payloads: 1, mentions: 4, replies: 1, corrections: 1, conversations: 2 });

    for (const m of [...closed, spam, collapsed]) {
      expect(await load(m.id)).toMatchObject({
        state: 'rejected',
        error: 'erased',
        payload: {},
        text: null,
        authorId: null,
        externalId: m.externalId,
      });
    }
    expect(await db.select().from(corrections)).toEqual([]);
    expect((await db.select().from(replies).orderBy(asc(replies.id))).map((r) => [r.mentionId, r.state, r.text])).toEqual([
      [closed[1]!.id, 'sent', ''],
      [unsent.id, 'pending', 'Hi there, sorted!'],
    ]);
    expect((await db.select().from(slackThreads)).map((t) => t.conversationId).sort()).toEqual(['c-lively', 'c-open', 'c-unsent']);
    expect(await load(lively[0]!.id)).toMatchObject({
      payload: {},
      text: lively[0]!.text,
      authorId: lively[0]!.authorId,
      state: 'notified',
    });
    expect(await Promise.all(untouched.map((m) => load(m.id)))).toEqual(before);

    // Audited as the system with counts; logged with counts only.
    const [entry] = await db.select().from(auditLog);
    expect(entry).toMatchObject({ actor: 'system', action: 'retention', subjectType: 'retention', detail: { days: 30, ...result } });
    expect(out.text()).toContain('"payloads":1,"mentions":4');
    expect(out.text()).not.toContain('words of');

    // The next day's run finds nothing more, and logs (not audits) that.
    expect(await applyRetention(s, now)).toEqual({ payloads: 0, mentions: 0, replies: 0, corrections: 0, conversations: 0 });
    expect(await db.select().from(auditLog)).toHaveLength(1);
  });

  it('works through more rows than one batch, a batch at a time', async () => {
    const { s } = await open();
    await s.db.insert(mentions).values(
      Array.from({ length: 450 }, (_, i) => ({
        platform: 'twitter' as const,
        externalId: `r-${i}`,
        state: i % 2 ? ('rejected' as const) : ('notified' as const),
        payload: { tweet: { id: `r-${i}`, text: 'old words' } },
        conversationId: i % 2 ? null : `c-${i}`,
        text: i % 2 ? null : 'old words',
        receivedAt: OLD,
      })),
    );
    expect(await applyRetention(s, now)).toMatchObject({ mentions: 450 });
    const left = await s.db.select({ payload: mentions.payload, error: mentions.error }).from(mentions);
    expect(left.filter((r) => r.error !== 'erased' || JSON.stringify(r.payload) !== '{}')).toEqual([]);
  });

  it('keeps everything for ever when RETENTION_DAYS is unset, and refuses a value that is not a number of days', async () => {
    const { s } = await open({});
    const old = await mention(s.db, null, new Date(0));
    expect(await applyRetention(s, now)).toEqual({ payloads: 0, mentions: 0, replies: 0, corrections: 0, conversations: 0 });
    expect((await s.db.select().from(mentions))[0]).toEqual(old);
    for (const bad of ['0', '-7', '1.5', 'thirty', '30d']) {
      expect(() => loadConfig({ RETENTION_DAYS: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ RETENTION_DAYS: bad })).toThrow(/^RETENTION_DAYS: expected a whole number of days, 1 or more[^\n]*$/);
    }
    expect(loadConfig({ RETENTION_DAYS: '365' }).RETENTION_DAYS).toBe(365);
    expect(loadConfig({ RETENTION_DAYS: '' }).RETENTION_DAYS).toBeUndefined();
  });
});

describe('the retention job', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('is one daily schedule per deployment, removed when RETENTION_DAYS is unset, and its worker purges', async () => {
    h = await createHarness('pglite', { RETENTION_DAYS: '30' });
    await ensureRetentionSchedule(h.s);
    await ensureRetentionSchedule(h.s); // every maintenance round of every process does this
    expect(await h.s.queues.retention.getJobSchedulersCount()).toBe(1);
    const [scheduler] = await h.s.queues.retention.getJobSchedulers();
    expect(scheduler).toMatchObject({ every: DAY });

    const old = await mention(h.s.db, null, OLD, { state: 'rejected' });
    const worker = startRetentionWorker(h.s);
    try {
      const job = await h.s.queues.retention.add('retention', { now: now.toISOString() }, { attempts: 1, removeOnComplete: false });
      await finished('the retention job', h.s.queues.retention, [job]);
    } finally {
      await worker.close();
    }
    expect((await h.s.db.select().from(mentions).where(eq(mentions.id, old.id)))[0]).toMatchObject({ error: 'erased', payload: {} });

    await ensureRetentionSchedule({ ...h.s, config: { ...h.s.config, RETENTION_DAYS: undefined } });
    expect(await h.s.queues.retention.getJobSchedulersCount()).toBe(0);
  });
});
