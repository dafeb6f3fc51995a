import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog, corrections, mentions, replies, slackThreads } from '../../src/db/schema.js';
import { actionIds } from '../../src/slack/views/action-ids.js';
import type { TriageResult } from '../../src/triage/index.js';
import type { SlackMessage } from '../../fakes/slack.js';
import { eventually } from '../support/services.js';
import { repliesSettled } from '../support/settle.js';
import { slackListeners } from '../support/slack-listeners.js';
import { INBOX, agentA, agentB, inboxSuite } from './inbox-harness.js';

const ESCALATIONS = 'C0ESCALATE';

describe('the card buttons', () => {
  const t = inboxSuite('pglite', (slack) => slack.addChannel({ id: 'C0NOTMEMBR', name: 'secret', isMember: false }));
  const listeners = slackListeners();
  const start = () => t.start({ file: { slack: { escalationChannel: ESCALATIONS } } });
  const mention = (text: string) => t.mention(text);
  const statusLine = (card: SlackMessage) => JSON.stringify(t.inbox.current(card).blocks?.[0]);
  const click = (card: SlackMessage, user: typeof agentA, action: string, pick?: { value?: string; user?: string }) =>
    t.inbox.slackEvents.clickInMessage(t.inbox.current(card), user, action, pick);
  const thread = async () => (await t.inbox.h.s.db.select().from(slackThreads))[0]!;
  const audits = (action: string) => t.inbox.h.s.db.select().from(auditLog).where(eq(auditLog.action, action));

  it('assigns (to me, then to someone else), resolves and reopens, updating the card and the audit log', async () => {
    await start();
    const { card } = await mention('billing page shows the wrong plan');
    expect(statusLine(card)).toContain('New');

    await click(card, agentA, actionIds.assignMe);
    await eventually('assigned to Ana on the card', () => statusLine(card).includes(`Assigned to <@${agentA.id}>`));
    await click(card, agentA, actionIds.assign, { user: agentB.id });
    await eventually('assigned to Ben on the card', () => statusLine(card).includes(`Assigned to <@${agentB.id}>`));
    expect(await thread()).toMatchObject({ status: 'assigned', assignee: agentB.id });
    expect((await audits('assign')).map((a) => [a.actor, (a.detail.to as { assignee: string }).assignee])).toEqual([
      [agentA.id, agentA.id],
      [agentA.id, agentB.id],
    ]);

    await click(card, agentB, actionIds.resolve);
    await eventually('resolved on the card', () => statusLine(card).includes('Resolved'));
    const resolved = await thread();
    expect(resolved).toMatchObject({ status: 'resolved' });
    expect(resolved.resolvedAt).toBeInstanceOf(Date);
    expect(resolved.resolutionSeconds).toBeGreaterThanOrEqual(0);
    // A resolved card offers Reopen only.
    expect(JSON.stringify(t.inbox.current(card).blocks?.at(-1))).not.toContain(actionIds.reply);

    await click(card, agentB, actionIds.reopen);
    await eventually('reopened on the card', () => statusLine(card).includes(`Assigned to <@${agentB.id}>`));
    expect(await thread()).toMatchObject({ status: 'assigned', resolvedAt: null });
    expect((await audits('resolve')).map((a) => a.actor)).toEqual([agentB.id]);
    expect((await audits('reopen')).map((a) => a.actor)).toEqual([agentB.id]);
  });

  it('answers a button from an older version of carebot at once, says so, and changes nothing', async () => {
    await t.start();
    const { card } = await t.mention('my parcel never came');
    // A card posted before an upgrade renamed its Resolve button.
    const old = JSON.parse(JSON.stringify(t.inbox.current(card)).replaceAll(actionIds.resolve, 'carebot.close_v0')) as SlackMessage;
    const res = await t.inbox.slackEvents.clickInMessage(old, agentA, 'carebot.close_v0');
    expect(res.status).toBe(200);
    const told = await t.slack.waitFor((c) => c.method === 'chat.postEphemeral' && c.body.user === agentA.id);
    expect(String(told.body.text)).toMatch(/^This card is from an older version of carebot/);
    expect((await thread()).status).toBe('new');
  });

  it('waits out a Slack 429 on the card update and loses nothing', async () => {
    await start();
    const { card } = await mention('my invoice shows the wrong VAT');
    t.slack.failNext('chat.update', { status: 429, retryAfter: 1 });
    await click(card, agentA, actionIds.assignMe);
    await eventually('assigned on the card', () => statusLine(card).includes(`Assigned to <@${agentA.id}>`));
    const updates = t.slack.calls.filter((c) => c.method === 'chat.update');
    expect(updates).toHaveLength(2);
    expect(updates[1]!.at - updates[0]!.at).toBeGreaterThanOrEqual(900);
  });

  it('stores a reclassification as training data next to what carebot said, and shows it on the card', async () => {
    await start();
    const { card } = await mention('love the new dark mode');
    const root = (await t.inbox.h.s.db.select().from(mentions))[0]!;
    const said = root.triage as TriageResult;
    await click(card, agentA, actionIds.more, { value: 'reclassify' });
    const modal = await eventually('the reclassify modal', () =>
      t.slack.modals().find((v) => v.callback_id === 'carebot.reclassify_modal'),
    );
    const res = await t.inbox.slackEvents.submitView(modal.id, agentA, { sentiment: 'negative', category: 'billing', priority: 'P1' });
    expect(res.status).toBe(200);

    const [correction] = await eventually('the correction', async () => {
      const rows = await t.inbox.h.s.db.select().from(corrections);
      return rows.length > 0 && rows;
    });
    expect(correction).toMatchObject({
      mentionId: root.id,
      sentiment: 'negative',
      category: 'billing',
      priority: 'P1',
      by: agentA.id,
      before: { sentiment: said.sentiment.label, category: said.category, priority: said.priority, spam: false },
    });
    const after = (await t.inbox.h.s.db.select().from(mentions))[0]!;
    expect(after).toMatchObject({
      priority: 'P1',
      category: 'billing',
      triage: expect.objectContaining({ priority: 'P1', category: 'billing' }),
    });
    await eventually('the card badges updated', () => JSON.stringify(t.inbox.current(card).blocks).includes('*P1*'));
    // A P1 has the P1 first-response target: 30 minutes after carebot got the tweet.
    const conversation = await thread();
    expect(conversation.slaDueAt!.getTime() - after.receivedAt.getTime()).toBe(30 * 60_000);
    expect(await audits('reclassify')).toEqual([
      expect.objectContaining({ actor: agentA.id, subjectType: 'mention', subjectId: String(root.id) }),
    ]);
  });

  it('marks spam: the conversation closes and the triage learns it', async () => {
    await start();
    const { card } = await mention('visit my profile for a surprise');
    await click(card, agentA, actionIds.more, { value: 'spam' });
    await eventually('the card shows spam', () => statusLine(card).includes('Spam'));
    expect(await t.inbox.h.s.db.select().from(corrections)).toEqual([expect.objectContaining({ spam: true, by: agentA.id })]);
    expect(await thread()).toMatchObject({ status: 'spam' });
    expect(await audits('spam')).toHaveLength(1);
  });

  it('escalates to a channel with a link to the card, and refuses a channel carebot is not in', async () => {
    await start();
    const { card } = await mention('your courier broke my door');
    await click(card, agentA, actionIds.more, { value: 'escalate' });
    const modal = await eventually('the escalate modal', () => t.slack.modals().find((v) => v.callback_id === 'carebot.escalate_modal'));

    const refused = await t.inbox.slackEvents.submitView(modal.id, agentA, { channel: 'C0NOTMEMBR' });
    expect(refused.body).toEqual({ response_action: 'errors', errors: { channel: expect.stringMatching(/not in that channel/) } });

    const done = await t.inbox.slackEvents.submitView(modal.id, agentA, { note: 'Legal should see this' }); // the default channel
    expect(done.body).toBe('');
    const escalated = await eventually('the escalation', () => t.slack.messages(ESCALATIONS)[0]);
    const shown = JSON.stringify(escalated.blocks);
    expect(shown).toContain(`/archives/${INBOX}/p${card.ts.replace('.', '')}`);
    expect(shown).toContain('Legal should see this');
    expect(shown).toContain('your courier broke my door');
    await eventually('the note in the card thread', () =>
      t.slack.messages(INBOX).find((m) => m.thread_ts === card.ts && m.text.includes(`Escalated to <#${ESCALATIONS}>`)),
    );
    expect(await audits('escalate')).toEqual([
      expect.objectContaining({ actor: agentA.id, detail: { channel: ESCALATIONS, note: 'Legal should see this' } }),
    ]);
  });

  it('retries a failed reply once per click, and says so in the thread', async () => {
    await start();
    const { tweet, card } = await mention('cancel my subscription');
    t.x.deleteTweet(tweet.id);
    await t.inbox.slackEvents.threadMessage({ channel: INBOX, threadTs: card.ts, user: agentA.id, text: 'Done, it is cancelled' });
    const failed = await eventually('the ❌ in the thread', () =>
      t.slack.messages(INBOX).find((m) => m.thread_ts === card.ts && m.text.startsWith(':x:')),
    );
    expect(failed.text).toMatch(/deleted or not visible/);
    expect((await t.inbox.h.s.db.select().from(replies))[0]).toMatchObject({ state: 'failed' });

    await Promise.all([click(failed, agentA, actionIds.retryReply), click(failed, agentA, actionIds.retryReply)]);
    await eventually(
      'a second ❌',
      () => t.slack.messages(INBOX).filter((m) => m.thread_ts === card.ts && m.text.startsWith(':x:')).length === 2,
    );
    // Until a second retry would have gone: both clicks handled to the end, the reply settled again.
    await listeners.idle();
    await repliesSettled(t.inbox.h);
    expect(t.slack.messages(INBOX).filter((m) => m.thread_ts === card.ts && m.text.startsWith(':x:'))).toHaveLength(2);
    expect(t.x.requests.filter((r) => r.method === 'POST' && r.path === '/2/tweets')).toHaveLength(2);
    expect(await audits('reply.retry')).toHaveLength(1);
  });
});
