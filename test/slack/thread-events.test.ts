import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, replies } from '../../src/db/schema.js';
import { DELETED_IN_SLACK } from '../../src/slack/inbox/thread-reply-row.js';
import { dbKinds } from '../support/db.js';
import { eventually } from '../support/services.js';
import { repliesSettled } from '../support/settle.js';
import { slackListeners } from '../support/slack-listeners.js';
import { displayed, problemsIn } from '../support/slack-payload.js';
import { signedPost } from '../../fakes/slack-requests.js';
import type { SlackMessage } from '../../fakes/slack.js';
import { INBOX, SIGNING_SECRET, agentA, agentB, inboxSuite } from './inbox-harness.js';

// The Events API bodies in test/fixtures/slack/ (real captures and Slack's own SDK tests), sent
// to carebot's /slack/events as Slack would: only the ids are swapped for the fake workspace's
// (team, app, bot, channel, user, ts), so the test speaks of this card and this agent.

type Json = Record<string, unknown>;
const fixture = (name: string): Json & { event: Json } =>
  JSON.parse(readFileSync(new URL(`../fixtures/slack/${name}.event.json`, import.meta.url), 'utf8'));

/** A name the uploader chose: markup that would ping the channel or link elsewhere if shown raw. */
const HOSTILE_NAME = '<!channel> refund <https://evil.example|form>.pdf';
const OUTSIDER = 'U0OUTSIDER';

describe.each(dbKinds)('thread messages beyond plain text: files, edits, deletes, bots (%s)', (kind) => {
  const t = inboxSuite(kind, (slack) => {
    slack.addUser({ id: 'U0OTHERBOT', name: 'otherbot', isBot: true });
  });
  const listeners = slackListeners();
  /** Where the files' URLs point: carebot must never fetch an agent's attachment. */
  let files: Server;
  let fileRequests = 0;
  let filesUrl = '';
  beforeAll(async () => {
    files = createServer((_req, res) => {
      fileRequests++;
      res.end('secret');
    });
    await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
    filesUrl = `http://127.0.0.1:${(files.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => files.close(() => r())));

  const quiet = async () => {
    await listeners.idle();
    await repliesSettled(t.inbox.h);
  };
  const ephemerals = (user: string) => t.slack.calls.filter((c) => c.method === 'chat.postEphemeral' && c.body.user === user);
  const replyRows = () => t.inbox.h.s.db.select().from(replies);
  const own = () => ({ users: [agentA.id, agentB.id, OUTSIDER] });

  /** The fixture's envelope, addressed to this workspace and its app, around `event` (merged into the fixture's event). */
  async function deliver(name: string, event: (e: Json) => void): Promise<void> {
    const body = fixture(name);
    Object.assign(body, { team_id: t.slack.teamId, api_app_id: 'A0CAREBOT1' });
    delete body.enterprise_id;
    body.authorizations = [
      { enterprise_id: null, team_id: t.slack.teamId, user_id: t.slack.botUserId, is_bot: true, is_enterprise_install: false },
    ];
    event(body.event);
    const res = await signedPost(t.inbox.url, SIGNING_SECRET, JSON.stringify(body), 'application/json');
    expect(res.status).toBe(200);
    await listeners.idle();
  }

  /** A file_share from the fixture, by `user` in `card`'s thread; the message is in the fake Slack too. */
  async function shareFiles(name: string, card: SlackMessage, user: string, patch: (e: Json) => void = () => {}) {
    const message = t.slack.addMessage({ channel: INBOX, user, text: 'files', thread_ts: card.ts });
    await deliver(name, (e) => {
      const [file] = e.files as Json[];
      Object.assign(file!, { user, url_private: `${filesUrl}/sample.txt`, url_private_download: `${filesUrl}/download/sample.txt` });
      e.files = [file, { ...file, id: 'F222', name: HOSTILE_NAME, title: HOSTILE_NAME, url_private: `${filesUrl}/evil.pdf` }];
      Object.assign(e, {
        user,
        ts: message.ts,
        event_ts: message.ts,
        thread_ts: card.ts,
        parent_user_id: t.slack.botUserId,
        channel: INBOX,
      });
      patch(e);
    });
    return message;
  }

  it('sends the text of a thread reply with files to X, and tells the agent which files were not sent', async () => {
    await t.start();
    const { tweet, card } = await t.mention('the app crashes when I open my orders');
    await shareFiles('thread-reply-file-share', card, agentA.id);

    await eventually('the reply on X', () => t.x.posted.length === 1);
    expect(t.x.posted[0]).toMatchObject({ inReplyTo: tweet.id, text: 'This is the text in the message' });
    const [note] = ephemerals(agentA.id);
    expect(note?.body).toMatchObject({ channel: INBOX, thread_ts: card.ts });
    const shown = displayed(String(note!.body.text));
    expect(shown).toContain('Your text was sent to the customer on X');
    expect(shown).toContain('“sample.txt”');
    expect(shown).toContain(`“${HOSTILE_NAME.replace('|', '¦')}”`);
    expect(shown).toContain('were not sent: carebot cannot send files to X');
    expect(problemsIn(t.slack.calls, own())).toEqual([]);
    await quiet();
    expect(t.x.posted).toHaveLength(1);
    expect(fileRequests).toBe(0);
  });

  it('sends nothing for files alone (text empty or absent) and says so', async () => {
    await t.start();
    const { card } = await t.mention('where is my parcel');
    await shareFiles('thread-reply-files-only', card, agentA.id);
    const first = await eventually('the note on the files', () => ephemerals(agentA.id)[0]);
    expect(first.body).toMatchObject({ channel: INBOX, thread_ts: card.ts });
    expect(displayed(String(first.body.text))).toMatch(
      /^:paperclip: Nothing was sent to the customer: your message had no text\. The files “sample\.txt”, “/,
    );

    // Whether Slack sends "" or leaves `text` out for a comment-less upload is unverified: both are files alone.
    await shareFiles('thread-reply-files-only', card, agentA.id, (e) => delete e.text);
    await eventually('the second note', () => ephemerals(agentA.id).length === 2);
    expect(displayed(String(ephemerals(agentA.id)[1]!.body.text))).toContain('Nothing was sent to the customer');

    expect(problemsIn(t.slack.calls, own())).toEqual([]);
    await quiet();
    expect(t.x.posted).toHaveLength(0);
    expect(await replyRows()).toHaveLength(0);
    expect(fileRequests).toBe(0);
  });

  it('refuses files with text from someone who may not reply, as it refuses their plain reply', async () => {
    await t.start();
    const { card } = await t.mention('cancel my subscription');
    await shareFiles('thread-reply-file-share', card, OUTSIDER);
    const refusal = await eventually('the refusal', () => ephemerals(OUTSIDER)[0]);
    expect(refusal.body.text).toMatch(/^Only agents .* may reply to customers\. Nothing was done\.\n:paperclip: The files “sample\.txt”/);
    await shareFiles('thread-reply-files-only', card, OUTSIDER);
    await eventually('the second refusal', () => ephemerals(OUTSIDER).length === 2);
    expect(ephemerals(OUTSIDER)[1]!.body.text).toMatch(/^Only agents .* may reply to customers\. Nothing was done\.$/);
    await quiet();
    expect(t.x.posted).toHaveLength(0);
    expect(await replyRows()).toHaveLength(0);
    const denied = await t.inbox.h.s.db.select().from(auditLog).where(eq(auditLog.action, 'denied'));
    expect(denied.map((d) => d.actor)).toEqual([OUTSIDER, OUTSIDER]);
  });

  /** The fixture's edit, applied to `message` (an agent's thread message) by its author. */
  const edit = (name: string, message: SlackMessage, card: SlackMessage, user = agentA.id) =>
    deliver(name, (e) => {
      const now = `${Math.floor(Date.now() / 1000)}.000200`;
      const m = e.message as Json;
      Object.assign(m, { user, ts: message.ts, thread_ts: card.ts, team: t.slack.teamId });
      if (m.edited) m.edited = { user, ts: now };
      Object.assign(e.previous_message as Json, { user, ts: message.ts, thread_ts: card.ts, text: message.text });
      Object.assign(e, { channel: INBOX, ts: now, event_ts: now });
    });

  it('tells an agent who edits a sent reply that the customer has the original, and sends nothing more', async () => {
    await t.start();
    const { card } = await t.mention('charged twice for one order');
    const { message } = await t.inbox.slackEvents.threadMessage({
      channel: INBOX,
      threadTs: card.ts,
      user: agentA.id,
      text: 'Refund is on the way',
    });
    await eventually('the ✅ in the thread', () => t.slack.messages(INBOX).find((m) => m.text.includes(':white_check_mark:')));

    // An unfurl is a change Slack makes, not the agent: nothing to say.
    await edit('message-changed-unfurl', message, card);
    expect(ephemerals(agentA.id)).toHaveLength(0);

    await edit('message-changed', message, card);
    const [note] = ephemerals(agentA.id);
    expect(note?.body).toMatchObject({ channel: INBOX, thread_ts: card.ts });
    const shown = displayed(String(note!.body.text));
    expect(shown).toMatch(
      /The customer already has your reply on X as you first wrote it \(view it\): editing it in Slack does not change it on X/,
    );
    expect(shown).toContain('send the correction as a new reply');
    expect(problemsIn(t.slack.calls, own())).toEqual([]);
    await quiet();
    expect(t.x.posted.map((p) => p.text)).toEqual(['Refund is on the way']);
  });

  it('leaves a pending reply as first written when it is edited, and says so; edits of non-replies stay silent', async () => {
    await t.start();
    // No worker takes a reply while the queue is paused: it stays 'pending'.
    await t.inbox.h.s.queues.outbound.pause();
    const { card } = await t.mention('my discount code does not work');
    const { message } = await t.inbox.slackEvents.threadMessage({ channel: INBOX, threadTs: card.ts, user: agentA.id, text: 'Try CODE10' });
    const { message: note } = await t.inbox.slackEvents.threadMessage({
      channel: INBOX,
      threadTs: card.ts,
      user: agentB.id,
      text: 'note: expired?',
    });
    await listeners.idle();
    expect((await replyRows()).map((r) => r.state)).toEqual(['pending']);

    await edit('message-changed', note, card, agentB.id);
    expect(ephemerals(agentB.id)).toHaveLength(0);
    await edit('message-changed', message, card);
    expect(ephemerals(agentA.id).map((c) => c.body.text)).toEqual([
      expect.stringMatching(
        /^:pencil2: Your reply is on its way to the customer on X as you first wrote it: editing it in Slack does not change what is sent/,
      ),
    ]);

    await t.inbox.h.s.queues.outbound.resume();
    await eventually('the reply on X', () => t.x.posted.length === 1);
    await quiet();
    expect(t.x.posted.map((p) => p.text)).toEqual(['Try CODE10']);
  });

  /** The fixture's delete of `message` (an agent's thread message). */
  const remove = (message: SlackMessage, user = agentA.id) =>
    deliver('message-deleted', (e) => {
      const now = `${Math.floor(Date.now() / 1000)}.000300`;
      Object.assign(e.previous_message as Json, { user, ts: message.ts, text: message.text, team: t.slack.teamId });
      Object.assign(e, { channel: INBOX, deleted_ts: message.ts, ts: now, event_ts: now });
    });

  it('withdraws a reply deleted in Slack before any worker took it, and says so in the thread', async () => {
    await t.start();
    // No worker takes a reply while the queue is paused: it stays 'pending'.
    await t.inbox.h.s.queues.outbound.pause();
    const { card } = await t.mention('wrong size delivered');
    const { message } = await t.inbox.slackEvents.threadMessage({
      channel: INBOX,
      threadTs: card.ts,
      user: agentA.id,
      text: 'Oops, wrong thread',
    });
    await listeners.idle();
    await remove(message);

    const [row] = await replyRows();
    expect(row).toMatchObject({ state: 'skipped', error: DELETED_IN_SLACK });
    expect(row!.reportedAt).toBeInstanceOf(Date);
    const cancels = await t.inbox.h.s.db.select().from(auditLog).where(eq(auditLog.action, 'reply.cancel'));
    expect(cancels).toMatchObject([{ actor: agentA.id, subjectType: 'reply', subjectId: String(row!.id) }]);
    const said = t.slack.messages(INBOX).filter((m) => m.thread_ts === card.ts && !m.user);
    expect(said.map((m) => m.text)).toEqual([`:no_entry_sign: Not sent (from <@${agentA.id}>): ${DELETED_IN_SLACK}.`]);
    expect(ephemerals(agentA.id).map((c) => c.body)).toEqual([
      expect.objectContaining({
        channel: INBOX,
        thread_ts: card.ts,
        text: ':wastebasket: You deleted your reply before it went out, so carebot withdrew it: nothing was sent to the customer on X.',
      }),
    ]);

    await t.inbox.h.s.queues.outbound.resume();
    await quiet();
    expect(t.x.posted).toHaveLength(0);
    expect((await replyRows()).map((r) => r.state)).toEqual(['skipped']);
  });

  it('tells an agent who deletes a sent reply, or one being sent, that it stays on X', async () => {
    await t.start();
    const { card } = await t.mention('package arrived damaged');
    const { message } = await t.inbox.slackEvents.threadMessage({
      channel: INBOX,
      threadTs: card.ts,
      user: agentA.id,
      text: 'We will replace it',
    });
    await eventually('the ✅ in the thread', () => t.slack.messages(INBOX).find((m) => m.text.includes(':white_check_mark:')));
    await remove(message);
    expect(displayed(String(ephemerals(agentA.id)[0]?.body.text))).toMatch(
      /^:wastebasket: Deleting it in Slack does not delete it from X: the customer already has your reply \(view it\)\./,
    );

    // The worker has the second one in hand (X took it, its answer is held): too late to withdraw.
    const held = t.x.holdNext('POST /2/tweets');
    const second = await t.inbox.slackEvents.threadMessage({ channel: INBOX, threadTs: card.ts, user: agentA.id, text: 'And a voucher' });
    await held.arrived;
    await remove(second.message);
    expect(ephemerals(agentA.id)[1]?.body.text).toMatch(
      /^:wastebasket: Deleting it in Slack does not delete it from X: your reply was already being sent/,
    );
    held.release();
    await quiet();
    expect(t.x.posted.map((p) => p.text)).toEqual(['We will replace it', 'And a voucher']);
    expect((await replyRows()).map((r) => r.state)).toEqual(['sent', 'sent']);
    expect(problemsIn(t.slack.calls, own())).toEqual([]);
  });

  it('never turns a bot’s post in a card thread into a reply: carebot’s own (no subtype), another app’s, a bot_message', async () => {
    await t.start();
    const { card } = await t.mention('still waiting for my refund');
    const botPost = (botId: string, user: string) =>
      deliver('bot-own-reply', (e) => {
        const ts = `${Math.floor(Date.now() / 1000)}.${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
        Object.assign(e, {
          bot_id: botId,
          user,
          ts,
          event_ts: ts,
          thread_ts: card.ts,
          channel: INBOX,
          team: t.slack.teamId,
          app_id: 'A0CAREBOT1',
        });
        Object.assign(e.bot_profile as Json, { id: botId, team_id: t.slack.teamId });
      });
    await botPost(t.slack.botId, t.slack.botUserId);
    // Another app's bot user, a member of the inbox: only `bot_id` says it is not a person.
    t.slack.addChannel({ id: INBOX, name: 'inbox', members: [agentA.id, agentB.id, 'U0OTHERBOT'] });
    await botPost('B0OTHERBOT1', 'U0OTHERBOT');
    await deliver('bot-message', (e) => {
      const ts = `${Math.floor(Date.now() / 1000)}.000400`;
      Object.assign(e, { ts, event_ts: ts, thread_ts: card.ts, channel: INBOX });
    });
    await quiet();
    expect(t.x.posted).toHaveLength(0);
    expect(await replyRows()).toHaveLength(0);
    expect(t.slack.calls.filter((c) => c.method === 'chat.postEphemeral')).toHaveLength(0);
    expect(await t.inbox.h.s.db.select().from(auditLog)).toHaveLength(0);
  });
});
