import { PassThrough } from 'node:stream';
import { WebClient } from '@slack/web-api';
import { asc, eq, inArray } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.js';
import { UsageError } from '../../src/app/commands/errors.js';
import { runForgetCommand } from '../../src/app/commands/forget.js';
import { customerHash } from '../../src/db/erase.js';
import { openDatabase, type Database, type Db } from '../../src/db/open.js';
import { auditLog, corrections, mentions, replies, slackThreads } from '../../src/db/schema.js';
import { receive } from '../../src/pipeline/receive.js';
import { createTestDb, dbKinds, type TestDb } from '../support/db.js';
import { tweet } from '../support/mentions.js';
import { createHarness, eventually, withFakeSlack } from '../support/services.js';

const INBOX = 'C0INBOX001';
const ALICE = '1111111111';
const BOB = '2222222222';

/** Runs the command as the CLI will, and returns what it printed. */
async function forget(db: Db, args: { platform?: string; author?: string; dryRun?: boolean }, slack?: WebClient) {
  const stdout = new PassThrough();
  let printed = '';
  stdout.on('data', (chunk) => {
    printed += String(chunk);
  });
  const code = await runForgetCommand({ ...args, db, slack, stdout });
  return { code, printed };
}

/** Every row of the tables that hold customer data, in a fixed order. */
async function tables(db: Db) {
  return {
    mentions: await db.select().from(mentions).orderBy(asc(mentions.id)),
    replies: await db.select().from(replies).orderBy(asc(replies.id)),
    corrections: await db.select().from(corrections).orderBy(asc(corrections.id)),
    threads: await db.select().from(slackThreads).orderBy(asc(slackThreads.rootMentionId)),
  };
}

describe.each(dbKinds)('carebot forget on %s', (kind) => {
  const t = withFakeSlack();

  it("erases one customer's mentions, replies' text, corrections and conversation, leaves another's alone, once", async () => {
    t.h = await createHarness(kind, { SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_API_URL: t.slack.url, SLACK_INBOX_CHANNEL: INBOX });
    const workers = t.h.startWorkers();
    const { db } = t.h.s;
    const notified = (...ids: string[]) =>
      eventually(`${ids.length} mentions carded`, async () => {
        const rows = await db.select().from(mentions).where(inArray(mentions.externalId, ids));
        return rows.length === ids.length && rows.every((r) => r.state === 'notified') && rows;
      });

    // Alice writes, then writes again in her conversation; Bob writes on his own, and once in Alice's conversation.
    const a1 = tweet('@brand my parcel never came, order 5521', { authorId: ALICE, username: 'alice_c' });
    const b1 = tweet('@brand how do I change the email on my account', { authorId: BOB, username: 'bob_c' });
    await receive(t.h.s, [a1, b1]);
    await notified(a1.externalId, b1.externalId);
    const a2 = tweet('@brand still nothing about order 5521', {
      authorId: ALICE,
      username: 'alice_c',
      conversationId: a1.externalId,
      inReplyTo: a1.externalId,
    });
    const b2 = tweet('@brand same for me here', {
      authorId: BOB,
      username: 'bob_c',
      conversationId: a1.externalId,
      inReplyTo: a1.externalId,
    });
    await receive(t.h.s, [a2, b2]);
    const rows = await notified(a1.externalId, b1.externalId, a2.externalId, b2.externalId);
    const id = (x: { externalId: string }) => rows.find((r) => r.externalId === x.externalId)!.id;
    // No worker may send the replies stored below (they are the test's, not the pipeline's).
    await workers.stop();

    await db.insert(replies).values([
      { idempotencyKey: 'k-a1', mentionId: id(a2), platform: 'twitter', text: 'Hi @alice_c, so sorry about order 5521', state: 'sent' },
      { idempotencyKey: 'incident:1:followup:twitter:1111111111', mentionId: id(a2), platform: 'twitter', text: 'Fixed, @alice_c!' },
      { idempotencyKey: 'k-b1', mentionId: id(b1), platform: 'twitter', text: 'Hi @bob_c, Settings > Email', state: 'sent' },
    ]);
    await db.insert(corrections).values([
      { mentionId: id(a1), category: 'shipping', by: 'U0AGENT' },
      { mentionId: id(b1), category: 'account', by: 'U0AGENT' },
    ]);
    await db.insert(auditLog).values([
      {
        actor: 'U0AGENT',
        action: 'escalate',
        subjectType: 'conversation',
        subjectId: `twitter:${a1.externalId}`,
        detail: { note: 'alice_c is angry' },
      },
      { actor: 'U0AGENT', action: 'resolve', subjectType: 'conversation', subjectId: `twitter:${b1.externalId}`, detail: {} },
    ]);
    const before = await tables(db);

    // A dry run tells what would go, and changes nothing.
    const dry = await forget(db, { platform: 'twitter', author: ALICE, dryRun: true });
    expect(dry.code).toBe(0);
    expect(dry.printed).toMatch(
      /would erase 2 mentions, the text of 2 replies, 1 correction, 1 conversation \(--dry-run: nothing changed\)/,
    );
    expect(await tables(db)).toEqual(before);
    expect(await db.select().from(auditLog).where(eq(auditLog.action, 'forget'))).toHaveLength(0);

    // The real run, with Slack on: the cards' permalinks for an admin to delete.
    const slack = new WebClient('xoxb-test-token', { slackApiUrl: t.slack.url });
    const run = await forget(db, { platform: 'twitter', author: ALICE }, slack);
    expect(run.printed).toMatch(/erased 2 mentions, the text of 2 replies, 1 correction, 1 conversation\n/);
    const cardTs = before.threads.find((th) => th.rootMentionId === id(a1))!.threadTs!;
    const followUpTs = before.mentions.find((m) => m.id === id(a2))!.slackTs!;
    expect(run.printed).toContain('carebot does not delete in Slack');
    for (const ts of [cardTs, followUpTs]) expect(run.printed).toContain(`/archives/${INBOX}/p${ts.replace('.', '')}`);

    const after = await tables(db);
    // Alice's rows keep their id and nothing else; nothing anywhere names her or what she wrote.
    for (const m of after.mentions.filter((r) => [id(a1), id(a2)].includes(r.id))) {
      expect(m).toMatchObject({ state: 'rejected', error: 'erased', payload: {}, authorId: null, authorHandle: null, text: null });
      expect(m).toMatchObject({ conversationId: null, slackTs: null, triage: null, attachments: [] });
    }
    expect(after.mentions.map((m) => m.externalId)).toEqual(before.mentions.map((m) => m.externalId));
    const everything = JSON.stringify([after, await db.select().from(auditLog)]);
    for (const trace of [ALICE, 'alice_c', '5521', 'parcel']) expect(everything).not.toContain(trace);
    // Her pending follow-up never goes; the sent reply keeps its row, not its words.
    expect(after.replies.filter((r) => r.mentionId === id(a2)).map((r) => [r.state, r.text])).toEqual([
      ['sent', ''],
      ['skipped', ''],
    ]);
    expect(after.corrections.map((c) => c.mentionId)).toEqual([id(b1)]);
    expect(after.threads.map((th) => th.rootMentionId)).toEqual([id(b1)]);

    // Bob's rows, including his message in Alice's conversation, are exactly as they were.
    const bobs = (x: typeof before) => ({
      mentions: x.mentions.filter((m) => [id(b1), id(b2)].includes(m.id)),
      replies: x.replies.filter((r) => r.mentionId === id(b1)),
      corrections: x.corrections.filter((c) => c.mentionId === id(b1)),
      threads: x.threads.filter((th) => th.rootMentionId === id(b1)),
    });
    expect(bobs(after)).toEqual(bobs(before));
    expect(bobs(after).mentions[1]).toMatchObject({ authorHandle: 'bob_c', text: '@brand same for me here' });

    // The audit log: the request, under a hash of the id; Alice's conversation renamed, its note gone; Bob's untouched.
    const log = await db.select().from(auditLog).orderBy(asc(auditLog.id));
    const entry = log.find((e) => e.action === 'forget')!;
    expect(entry).toMatchObject({
      actor: 'cli',
      subjectType: 'customer',
      subjectId: `twitter:${customerHash('twitter', ALICE)}`,
      detail: { platform: 'twitter', mentions: 2, replies: 2, corrections: 1, conversations: 1, slackMessages: 2 },
    });
    expect(log.find((e) => e.action === 'escalate')).toMatchObject({
      subjectId: expect.stringMatching(/^twitter:erased:[0-9a-f]{16}$/),
      detail: { note: 'erased' },
    });
    expect(log.find((e) => e.action === 'resolve')).toMatchObject({ subjectId: `twitter:${b1.externalId}` });

    // Idempotent: a second run finds nothing and changes nothing.
    const again = await forget(db, { platform: 'twitter', author: ALICE });
    expect(again.printed).toBe(
      `twitter customer sha256:${customerHash('twitter', ALICE).slice(0, 12)}: nothing stored, nothing to erase\n`,
    );
    expect(await tables(db)).toEqual(after);

    // X delivers Alice's first tweet again (a webhook retry, a poll overlap): the kept id makes it a duplicate, never a new card.
    expect(await receive(t.h.s, [a1])).toEqual({ stored: 0, duplicates: 1 });
    t.h.startWorkers();
    const control = tweet('@brand is there a student discount', { authorId: BOB, username: 'bob_c' });
    await receive(t.h.s, [control]);
    await notified(control.externalId);
    const cards = t.slack.messages(INBOX).filter((m) => !m.thread_ts);
    expect(cards.filter((c) => JSON.stringify(c.blocks).includes('order 5521'))).toHaveLength(1); // the one posted before the request
    expect(cards.filter((c) => JSON.stringify(c.blocks).includes('student discount'))).toHaveLength(1);
    expect(after.mentions.find((m) => m.id === id(a1))).toEqual((await tables(db)).mentions.find((m) => m.id === id(a1)));
  });
});

describe.each(dbKinds)('carebot forget, database only, on %s', (kind) => {
  let test: TestDb | undefined;
  let database: Database | undefined;
  afterEach(async () => {
    await database?.close();
    await test?.drop();
    database = test = undefined;
  });
  const open = async () => {
    test = await createTestDb(kind);
    database = await openDatabase(test.url ? { url: test.url } : { pglite: test.pglite });
    await database.migrate();
    return database.db;
  };

  it('finds the customer in rows not read yet (still in flight), by their payload, and only theirs', async () => {
    const db = await open();
    const [alice, bob] = [tweet('@brand hello from alice', { authorId: ALICE }), tweet('@brand hello from bob', { authorId: BOB })];
    await db.insert(mentions).values([alice, bob].map((m) => ({ platform: m.platform, externalId: m.externalId, payload: m.payload })));
    const run = await forget(db, { platform: 'twitter', author: ALICE });
    expect(run.printed).toMatch(/erased 1 mention, the text of 0 replies, 0 corrections, 0 conversations\n$/);
    const rows = await db.select().from(mentions).orderBy(asc(mentions.id));
    // Erased rows are `rejected`: ingest moves only `received` rows, so it never reads the blank payload.
    expect(rows.map((r) => [r.externalId, r.state, r.error, JSON.stringify(r.payload).includes('hello')])).toEqual([
      [alice.externalId, 'rejected', 'erased', false],
      [bob.externalId, 'received', null, true],
    ]);
  });

  it('refuses, in one line, without --platform and --author, with an unknown platform, or with a handle', async () => {
    const db = await open();
    await db.insert(mentions).values({ platform: 'twitter', externalId: '1', payload: {}, authorId: ALICE, authorHandle: 'alice_c' });
    const refusal = (args: Parameters<typeof forget>[1]) =>
      forget(db, args).then(
        () => 'accepted',
        (err: Error) => (err instanceof UsageError ? err.message : `not a UsageError: ${err.message}`),
      );
    expect(await refusal({ platform: 'twitter' })).toBe('--platform P and --author ID are both required (the id, not the handle)');
    expect(await refusal({ author: ALICE })).toBe('--platform P and --author ID are both required (the id, not the handle)');
    expect(await refusal({ platform: 'myspace', author: ALICE })).toMatch(/^--platform 'myspace': expected one of twitter, /);
    expect(await refusal({ platform: 'twitter', author: '@Alice_C' })).toBe(
      `--author takes the customer's twitter id, not a handle; @Alice_C is stored as --author ${ALICE}`,
    );
    for (const args of [{ platform: 'twitter' }, { platform: 'twitter', author: '@Alice_C' }])
      expect(await refusal(args)).not.toContain('\n');
    // Nothing was erased by any of them.
    expect((await db.select().from(mentions))[0]).toMatchObject({ authorId: ALICE, error: null });
  });

  it('reads the database from the configuration when run from the CLI, and refuses a DATA_DIR with none', async () => {
    const nowhere = loadConfig({ DATA_DIR: '/nonexistent/carebot-data', DATABASE_URL: '' });
    const quiet = new PassThrough();
    await expect(runForgetCommand({ platform: 'twitter', author: ALICE, config: nowhere, stdout: quiet })).rejects.toThrow(
      /^no database there/,
    );
    await open();
    const url = test!.url;
    if (!url) return; // a test's PGlite is in memory, not in a DATA_DIR the command could open
    const stdout = new PassThrough();
    stdout.resume();
    const config = loadConfig({ DATABASE_URL: url });
    expect(await runForgetCommand({ platform: 'twitter', author: ALICE, config, stdout })).toBe(0);
    expect(await database!.db.select().from(auditLog).where(eq(auditLog.action, 'forget'))).toHaveLength(1);
  });
});
