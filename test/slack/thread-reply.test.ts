import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog, replies, slackThreads } from '../../src/db/schema.js';
import { dbKinds } from '../support/db.js';
import { eventually } from '../support/services.js';
import { repliesSettled } from '../support/settle.js';
import { slackListeners } from '../support/slack-listeners.js';
import { signedPost } from '../../fakes/slack-requests.js';
import { INBOX, SIGNING_SECRET, agentA, inboxSuite } from './inbox-harness.js';

describe.each(dbKinds)('replying from a card thread (%s)', (kind) => {
  const t = inboxSuite(kind);
  const listeners = slackListeners();
  /** Until nothing more can reach X: every Slack request handled to the end, every reply settled. */
  const quiet = async () => {
    await listeners.idle();
    await repliesSettled(t.inbox.h);
  };
  const start = (file: Record<string, unknown> = {}) => t.start({ file });
  const mention = (text: string) => t.mention(text, { followers: 5400 });
  const ephemerals = (user: string) => t.slack.calls.filter((c) => c.method === 'chat.postEphemeral' && c.body.user === user);

  it('turns a mention into a card, and sends an agent’s thread reply to X threaded under the tweet', async () => {
    await start();
    const { tweet, card } = await mention('my order #4411 never arrived and support is silent');
    expect(JSON.stringify(card.blocks)).toContain('jamie');
    expect(card.blocks?.at(-1)).toMatchObject({ type: 'actions' });

    const { response } = await t.inbox.slackEvents.threadMessage({
      channel: INBOX,
      threadTs: card.ts,
      user: agentA.id,
      text: 'So sorry &amp; on it: DM us the order number <https://acme.example/help|here>',
    });
    expect(response.status).toBe(200);

    await eventually('the reply on X', () => t.x.posted.length === 1);
    expect(t.x.posted[0]).toMatchObject({
      inReplyTo: tweet.id,
      text: 'So sorry & on it: DM us the order number https://acme.example/help',
    });

    // The thread hears it went, with a link; the card says replied; the SLA clock stopped.
    const result = await eventually('the ✅ in the thread', () =>
      t.slack.messages(INBOX).find((m) => m.thread_ts === card.ts && m.text.includes(':white_check_mark:')),
    );
    expect(result.text).toContain(`https://x.com/i/web/status/${t.x.posted[0]!.id}`);
    // The agent's words are right above it: not quoted a second time.
    expect(JSON.stringify(result.blocks)).not.toContain('DM us the order number');
    await eventually('the card marked replied', () => JSON.stringify(t.inbox.current(card).blocks).includes('Replied'));
    const [thread] = await t.inbox.h.s.db.select().from(slackThreads);
    expect(thread).toMatchObject({ status: 'replied', assignee: agentA.id });
    expect(thread!.firstResponseAt).toBeInstanceOf(Date);
    expect(thread!.firstResponseSeconds).toBeGreaterThanOrEqual(0);

    const audits = await t.inbox.h.s.db.select().from(auditLog).where(eq(auditLog.action, 'reply'));
    expect(audits).toEqual([expect.objectContaining({ actor: agentA.id, subjectType: 'reply' })]);
  });

  it('sends one reply when Slack delivers the same message event twice', async () => {
    await start();
    const { card } = await mention('cannot log in since the update');
    const { message } = await t.inbox.slackEvents.threadMessage({
      channel: INBOX,
      threadTs: card.ts,
      user: agentA.id,
      text: 'Try logging out and in again',
    });
    // Slack's retry of an event it thinks was missed: same message, new envelope.
    await t.inbox.slackEvents.event({
      type: 'message',
      user: agentA.id,
      text: message.text,
      ts: message.ts,
      thread_ts: card.ts,
      channel: INBOX,
      channel_type: 'channel',
      event_ts: message.ts,
      team: t.slack.teamId,
    });
    await eventually('the reply on X', () => t.x.posted.length === 1);
    await quiet();
    expect(t.x.posted).toHaveLength(1);
    expect(await t.inbox.h.s.db.select().from(replies)).toHaveLength(1);
  });

  it('also sends a thread reply the agent shared to the channel ("Also send to #channel")', async () => {
    await start();
    const { tweet, card } = await mention('is the store open on Sunday?');
    await t.inbox.slackEvents.threadMessage({
      channel: INBOX,
      threadTs: card.ts,
      user: agentA.id,
      text: 'Yes, 10 to 4!',
      subtype: 'thread_broadcast',
    });
    await eventually('the reply on X', () => t.x.posted.length === 1);
    expect(t.x.posted[0]).toMatchObject({ inReplyTo: tweet.id, text: 'Yes, 10 to 4!' });
  });

  it('keeps `note:` messages, and every message in an alerts-only channel, inside Slack', async () => {
    await start({ routes: [{ channel: 'C0ALERTS01', keyword: ['outage'] }], slack: { alertsOnly: ['C0ALERTS01'] } });
    const { card } = await mention('my parcel is lost');
    await t.inbox.slackEvents.threadMessage({
      channel: INBOX,
      threadTs: card.ts,
      user: agentA.id,
      text: 'note: checking with the warehouse first',
    });
    await t.inbox.slackEvents.threadMessage({ channel: INBOX, threadTs: card.ts, user: agentA.id, text: 'NOTE: they say Tuesday' });

    t.x.addMention({ text: 'total outage here', authorId: '12', username: 'kim' });
    await t.inbox.poll();
    const alert = await eventually('the alert card', () => t.slack.messages('C0ALERTS01').find((m) => !m.thread_ts));
    await t.inbox.slackEvents.threadMessage({ channel: 'C0ALERTS01', threadTs: alert.ts, user: agentA.id, text: 'we are looking at it' });

    // A plain reply afterwards does go: the notes were not just slow.
    await t.inbox.slackEvents.threadMessage({
      channel: INBOX,
      threadTs: card.ts,
      user: agentA.id,
      text: 'It arrives Tuesday, sorry for the wait!',
    });
    await eventually('the plain reply on X', () => t.x.posted.length === 1);
    await quiet();
    expect(t.x.posted.map((p) => p.text)).toEqual(['It arrives Tuesday, sorry for the wait!']);
    expect(await t.inbox.h.s.db.select().from(replies)).toHaveLength(1);
  });

  it('refuses a 281-character reply to X with an ephemeral message, and sends nothing', async () => {
    await start();
    const { card } = await mention('refund please');
    const long = 'a'.repeat(281);
    await t.inbox.slackEvents.threadMessage({ channel: INBOX, threadTs: card.ts, user: agentA.id, text: long });
    const warning = await eventually('the ephemeral refusal', () => ephemerals(agentA.id)[0]);
    expect(warning.body).toMatchObject({ channel: INBOX, thread_ts: card.ts });
    expect(warning.body.text).toMatch(/Too long for X: 281 characters, the limit is 280/);
    await t.inbox.slackEvents.threadMessage({ channel: INBOX, threadTs: card.ts, user: agentA.id, text: 'a'.repeat(280) });
    await eventually('the 280-character reply on X', () => t.x.posted.length === 1);
    expect(t.x.posted[0]!.text).toHaveLength(280);
    expect(await t.inbox.h.s.db.select().from(replies)).toHaveLength(1);
  });

  it('answers 401 to a forged or stale request and changes nothing; answers the URL check', async () => {
    await start();
    const { card } = await mention('where is my refund');
    const body = JSON.stringify({
      type: 'event_callback',
      team_id: t.slack.teamId,
      api_app_id: 'A0CAREBOT1',
      event: { type: 'message', user: agentA.id, text: 'forged reply', ts: '1700000000.000100', thread_ts: card.ts, channel: INBOX },
      event_id: 'Ev0FORGED',
      event_time: 1700000000,
    });
    const forged = await signedPost(t.inbox.url, SIGNING_SECRET, body, 'application/json', { 'x-slack-signature': `v0=${'0'.repeat(64)}` });
    expect(forged.status).toBe(401);
    const stale = String(Math.floor(Date.now() / 1000) - 6 * 60);
    const old = await signedPost(t.inbox.url, SIGNING_SECRET, body, 'application/json', { 'x-slack-request-timestamp': stale });
    expect(old.status).toBe(401);
    const unsigned = await fetch(t.inbox.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(unsigned.status).toBe(401);

    const check = await t.inbox.slackEvents.urlVerification('3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P');
    expect(check).toEqual({ status: 200, body: { challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' } });

    await quiet();
    expect(t.x.posted).toHaveLength(0);
    expect(await t.inbox.h.s.db.select().from(replies)).toHaveLength(0);
    expect(await t.inbox.h.s.db.select().from(auditLog)).toHaveLength(0);
  });
});
