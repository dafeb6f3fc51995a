import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, replies, slackThreads } from '../../src/db/schema.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack.js';
import { startFakeTwitter, type FakeTwitter } from '../fakes/twitter.js';
import { dbKinds } from '../support/db.js';
import { eventually } from '../support/services.js';
import { signedPost } from '../fakes/slack-requests.js';
import { BRAND_ID, INBOX, SIGNING_SECRET, agentA, startInbox, type Inbox } from './inbox-harness.js';

describe.each(dbKinds)('replying from a card thread (%s)', (kind) => {
  let slack: FakeSlack;
  let x: FakeTwitter;
  let inbox: Inbox;

  beforeAll(async () => {
    slack = await startFakeSlack();
  });
  afterAll(() => slack.close());
  afterEach(async () => {
    await inbox?.close();
    await x?.close();
    slack.reset();
  });

  const start = async (file: Record<string, unknown> = {}) => {
    x = await startFakeTwitter({ brandUserId: BRAND_ID, brandUsername: 'acme' });
    inbox = await startInbox(kind, { slack, x }, { file });
  };
  /** A customer tweets at the brand; carebot polls X and posts the card. */
  const mention = async (text: string) => {
    const tweet = x.addMention({ text, authorId: '11', username: 'jamie', followers: 5400 });
    await inbox.poll();
    return { tweet, card: await inbox.card(text) };
  };
  const ephemerals = (user: string) => slack.calls.filter((c) => c.method === 'chat.postEphemeral' && c.body.user === user);

  it('turns a mention into a card, and sends an agent’s thread reply to X threaded under the tweet', async () => {
    await start();
    const { tweet, card } = await mention('my order #4411 never arrived and support is silent');
    expect(JSON.stringify(card.blocks)).toContain('jamie');
    expect(card.blocks?.at(-1)).toMatchObject({ type: 'actions' });

    const { response } = await inbox.slackEvents.threadMessage({ channel: INBOX, threadTs: card.ts, user: agentA.id, text: 'So sorry &amp; on it: DM us the order number <https://acme.example/help|here>' });
    expect(response.status).toBe(200);

    await eventually('the reply on X', () => x.posted.length === 1);
    expect(x.posted[0]).toMatchObject({ inReplyTo: tweet.id, text: 'So sorry & on it: DM us the order number https://acme.example/help' });

    // The thread hears it went, with a link; the card says replied; the SLA clock stopped.
    const result = await eventually('the ✅ in the thread', () => slack.messages(INBOX).find((m) => m.thread_ts === card.ts && m.text.includes(':white_check_mark:')));
    expect(result.text).toContain(`https://x.com/i/web/status/${x.posted[0]!.id}`);
    await eventually('the card marked replied', () => JSON.stringify(inbox.current(card).blocks).includes('Replied'));
    const [thread] = await inbox.h.s.db.select().from(slackThreads);
    expect(thread).toMatchObject({ status: 'replied', assignee: agentA.id });
    expect(thread!.firstResponseAt).toBeInstanceOf(Date);
    expect(thread!.firstResponseSeconds).toBeGreaterThanOrEqual(0);

    const audits = await inbox.h.s.db.select().from(auditLog).where(eq(auditLog.action, 'reply'));
    expect(audits).toEqual([expect.objectContaining({ actor: agentA.id, subjectType: 'reply' })]);
  });

  it('sends one reply when Slack delivers the same message event twice', async () => {
    await start();
    const { card } = await mention('cannot log in since the update');
    const { message } = await inbox.slackEvents.threadMessage({ channel: INBOX, threadTs: card.ts, user: agentA.id, text: 'Try logging out and in again' });
    // Slack's retry of an event it thinks was missed: same message, new envelope.
    await inbox.slackEvents.event({ type: 'message', user: agentA.id, text: message.text, ts: message.ts, thread_ts: card.ts, channel: INBOX, channel_type: 'channel', event_ts: message.ts, team: slack.teamId });
    await eventually('the reply on X', () => x.posted.length === 1);
    await new Promise((r) => setTimeout(r, 800));
    expect(x.posted).toHaveLength(1);
    expect(await inbox.h.s.db.select().from(replies)).toHaveLength(1);
  });

  it('keeps `note:` messages, and every message in an alerts-only channel, inside Slack', async () => {
    await start({ routes: [{ channel: 'C0ALERTS01', keyword: ['outage'] }], slack: { alertsOnly: ['C0ALERTS01'] } });
    const { card } = await mention('my parcel is lost');
    await inbox.slackEvents.threadMessage({ channel: INBOX, threadTs: card.ts, user: agentA.id, text: 'note: checking with the warehouse first' });
    await inbox.slackEvents.threadMessage({ channel: INBOX, threadTs: card.ts, user: agentA.id, text: 'NOTE: they say Tuesday' });

    x.addMention({ text: 'total outage here', authorId: '12', username: 'kim' });
    await inbox.poll();
    const alert = await eventually('the alert card', () => slack.messages('C0ALERTS01').find((m) => !m.thread_ts));
    await inbox.slackEvents.threadMessage({ channel: 'C0ALERTS01', threadTs: alert.ts, user: agentA.id, text: 'we are looking at it' });

    // A plain reply afterwards does go: the notes were not just slow.
    await inbox.slackEvents.threadMessage({ channel: INBOX, threadTs: card.ts, user: agentA.id, text: 'It arrives Tuesday, sorry for the wait!' });
    await eventually('the plain reply on X', () => x.posted.length === 1);
    await new Promise((r) => setTimeout(r, 500));
    expect(x.posted.map((p) => p.text)).toEqual(['It arrives Tuesday, sorry for the wait!']);
    expect(await inbox.h.s.db.select().from(replies)).toHaveLength(1);
  });

  it('refuses a 281-character reply to X with an ephemeral message, and sends nothing', async () => {
    await start();
    const { card } = await mention('refund please');
    const long = 'a'.repeat(281);
    await inbox.slackEvents.threadMessage({ channel: INBOX, threadTs: card.ts, user: agentA.id, text: long });
    const warning = await eventually('the ephemeral refusal', () => ephemerals(agentA.id)[0]);
    expect(warning.body).toMatchObject({ channel: INBOX, thread_ts: card.ts });
    expect(warning.body.text).toMatch(/Too long for X: 281 characters, the limit is 280/);
    await inbox.slackEvents.threadMessage({ channel: INBOX, threadTs: card.ts, user: agentA.id, text: 'a'.repeat(280) });
    await eventually('the 280-character reply on X', () => x.posted.length === 1);
    expect(x.posted[0]!.text).toHaveLength(280);
    expect(await inbox.h.s.db.select().from(replies)).toHaveLength(1);
  });

  it('answers 401 to a forged or stale request and changes nothing; answers the URL check', async () => {
    await start();
    const { card } = await mention('where is my refund');
    const body = JSON.stringify({ type: 'event_callback', team_id: slack.teamId, api_app_id: 'A0CAREBOT1', event: { type: 'message', user: agentA.id, text: 'forged reply', ts: '1700000000.000100', thread_ts: card.ts, channel: INBOX }, event_id: 'Ev0FORGED', event_time: 1700000000 });
    const forged = await signedPost(inbox.url, SIGNING_SECRET, body, 'application/json', { 'x-slack-signature': `v0=${'0'.repeat(64)}` });
    expect(forged.status).toBe(401);
    const stale = String(Math.floor(Date.now() / 1000) - 6 * 60);
    const old = await signedPost(inbox.url, SIGNING_SECRET, body, 'application/json', { 'x-slack-request-timestamp': stale });
    expect(old.status).toBe(401);
    const unsigned = await fetch(inbox.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(unsigned.status).toBe(401);

    const check = await inbox.slackEvents.urlVerification('3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P');
    expect(check).toEqual({ status: 200, body: { challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' } });

    await new Promise((r) => setTimeout(r, 500));
    expect(x.posted).toHaveLength(0);
    expect(await inbox.h.s.db.select().from(replies)).toHaveLength(0);
    expect(await inbox.h.s.db.select().from(auditLog)).toHaveLength(0);
  });
});
