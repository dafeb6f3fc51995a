import { describe, expect, it } from 'vitest';
import { replies, slackThreads } from '../../src/db/schema.js';
import { actionIds, shortcutIds } from '../../src/slack/views/action-ids.js';
import { eventually } from '../support/services.js';
import { repliesSettled } from '../support/settle.js';
import { slackListeners } from '../support/slack-listeners.js';
import { INBOX, agentA, agentB, inboxSuite, type Inbox } from './inbox-harness.js';

const canned = [
  { name: 'Apology', text: 'Hi {{customer}}, so sorry about this. {{agent}} from Acme here: DM us your order number?' },
  { name: 'Thanks', text: 'Thanks {{ customer }}!' },
];

describe('the reply modal, collisions and permissions', () => {
  const t = inboxSuite('pglite', (slack) => {
    slack.addUser({ id: agentA.id, name: 'ana', displayName: 'Ana' });
    slack.addUser({ id: agentB.id, name: 'ben', displayName: 'Ben' });
    slack.addUserGroup('S0REPLIERS', [agentA.id]);
  });
  const listeners = slackListeners();
  /** Until nothing more can reach X: every Slack request handled to the end, every reply settled. */
  const quiet = async () => {
    await listeners.idle();
    await repliesSettled(t.inbox.h);
  };
  const start = (file: Record<string, unknown> = {}) => t.start({ file: { slack: { cannedReplies: canned, ...file } } });
  const mention = (text: string) => t.mention(text);
  const modalsOpened = () => t.slack.modals().filter((v) => v.callback_id === 'carebot.reply_modal');
  const openModal = async (card: Parameters<Inbox['current']>[0], user: typeof agentA) => {
    const before = modalsOpened().length;
    await t.inbox.slackEvents.clickInMessage(t.inbox.current(card), user, actionIds.reply);
    return eventually('the reply modal', () => modalsOpened()[before]);
  };
  const cardText = (card: Parameters<Inbox['current']>[0]) => JSON.stringify(t.inbox.current(card).blocks);
  const inputText = (view: Record<string, unknown>) =>
    (view.blocks as Array<{ type: string; element?: { initial_value?: string } }>).find((b) => b.type === 'input')?.element
      ?.initial_value ?? '';

  it('opens from the card, fills a canned reply, shows who is replying, and sends once however often Send is hit', async () => {
    await start();
    const { tweet, card } = await mention('the app charged me twice');
    const modal = await openModal(card, agentA);
    expect(JSON.stringify(modal.blocks)).toContain('the app charged me twice');
    await eventually('the card to show Ana replying', () => cardText(card).includes(`<@${agentA.id}> is replying`));

    await t.inbox.slackEvents.clickInView(modal.id, agentA, actionIds.canned, { value: '0' });
    const filled = await eventually('the canned text in the modal', () => {
      const v = t.slack.view(modal.id)!;
      return inputText(v) !== '' && v;
    });
    expect(inputText(filled)).toBe('Hi @jamie, so sorry about this. Ana from Acme here: DM us your order number?');

    // A double click, a Slack retry, and one more click later: one tweet.
    const [first, second] = await Promise.all([
      t.inbox.slackEvents.submitView(modal.id, agentA),
      t.inbox.slackEvents.submitView(modal.id, agentA),
    ]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(first.body).toBe('');
    await eventually('the reply on X', () => t.x.posted.length === 1);
    await t.inbox.slackEvents.submitView(modal.id, agentA);
    await quiet();
    expect(t.x.posted).toEqual([expect.objectContaining({ inReplyTo: tweet.id, text: inputText(filled) })]);
    expect(await t.inbox.h.s.db.select().from(replies)).toHaveLength(1);
    await eventually('the replying mark gone from the card', () => !cardText(card).includes('is replying'));
    // What the customer was told is in the card's thread, for the teammates who were not in the modal.
    const result = await eventually('the result in the thread', () =>
      t.slack.messages(INBOX).find((m) => m.thread_ts === card.ts && m.text.startsWith(':white_check_mark: Sent to the customer')),
    );
    expect(JSON.stringify(result.blocks)).toContain(`"text":">${inputText(filled)}"`);
  });

  it('keeps the modal open with the reason when the reply is too long for X', async () => {
    await start();
    const { card } = await mention('still waiting on my refund');
    const modal = await openModal(card, agentA);
    const res = await t.inbox.slackEvents.submitView(modal.id, agentA, { text: 'x'.repeat(281) });
    expect(res.body).toEqual({
      response_action: 'errors',
      errors: { reply_text_0: expect.stringMatching(/Too long for X: 281 characters, the limit is 280/) },
    });
    await quiet();
    expect(t.x.posted).toHaveLength(0);
    expect(await t.inbox.h.s.db.select().from(replies)).toHaveLength(0);
  });

  it('warns a second agent before they send, both in the modal and in the thread', async () => {
    await start();
    const { card } = await mention('my account got locked');
    const anaModal = await openModal(card, agentA);
    await eventually('Ana marked as replying', () => cardText(card).includes(`<@${agentA.id}> is replying`));

    // Ben opens the modal too: he is told Ana is on it.
    const benModal = await openModal(card, agentB);
    expect(JSON.stringify(benModal.blocks)).toContain(`<@${agentA.id}> is replying to this customer right now`);

    // Ben answers in the thread instead: held back, with a way to send anyway.
    await t.inbox.slackEvents.threadMessage({
      channel: INBOX,
      threadTs: card.ts,
      user: agentB.id,
      text: 'Unlocked it for you, try again!',
    });
    const warning = await eventually('the collision warning', () =>
      t.slack.calls.find((c) => c.method === 'chat.postEphemeral' && c.body.user === agentB.id),
    );
    expect(warning.body.text).toContain(`<@${agentA.id}> is writing a reply`);
    await quiet();
    expect(t.x.posted).toHaveLength(0);
    expect(await t.inbox.h.s.db.select().from(replies)).toHaveLength(0);

    await Promise.all([
      t.inbox.slackEvents.clickInEphemeral(INBOX, warning.body.blocks as unknown[], agentB, actionIds.sendAnyway),
      t.inbox.slackEvents.clickInEphemeral(INBOX, warning.body.blocks as unknown[], agentB, actionIds.sendAnyway),
    ]);
    await eventually("Ben's reply on X", () => t.x.posted.length === 1);
    expect(t.x.posted[0]!.text).toBe('Unlocked it for you, try again!');

    // Ana now hits Send: she is shown Ben's reply first, and sends only if she insists.
    const told = await t.inbox.slackEvents.submitView(anaModal.id, agentA, { text: 'Let me look into this' });
    expect(told.body).toMatchObject({ response_action: 'update' });
    const updated = (told.body as { view: Record<string, unknown> }).view;
    expect(JSON.stringify(updated)).toContain(`<@${agentB.id}> replied while you were writing`);
    expect(JSON.stringify(updated)).toContain('Unlocked it for you');
    t.slack.replaceView(anaModal.id, updated);
    await quiet();
    expect(t.x.posted).toHaveLength(1);
    const insisted = await t.inbox.slackEvents.submitView(anaModal.id, agentA, { text: 'Let me look into this' });
    expect(insisted.body).toBe('');
    await eventually("Ana's reply on X", () => t.x.posted.length === 2);
  });

  it('takes the replying mark off the card when the modal is closed', async () => {
    await start();
    const { card } = await mention('package damaged');
    const modal = await openModal(card, agentA);
    await eventually('Ana marked as replying', () => cardText(card).includes('is replying'));
    await t.inbox.slackEvents.closeView(modal.id, agentA);
    await eventually('the mark gone', () => !cardText(card).includes('is replying'));
    const [thread] = await t.inbox.h.s.db.select().from(slackThreads);
    expect(thread!.replyingUser).toBeNull();
  });

  it('lets only the configured agents reply (a user group here), and tells the others why', async () => {
    await start({ roles: { agents: ['S0REPLIERS'] } });
    const { card } = await mention('wrong size delivered');
    await t.inbox.slackEvents.clickInMessage(t.inbox.current(card), agentB, actionIds.reply);
    const refusal = await eventually('the refusal', () =>
      t.slack.calls.find((c) => c.method === 'chat.postEphemeral' && c.body.user === agentB.id),
    );
    expect(refusal.body.text).toMatch(/^Only agents \(`slack.roles.agents` .*may reply to customers. Nothing was done.$/);
    expect(modalsOpened()).toHaveLength(0);
    await t.inbox.slackEvents.threadMessage({ channel: INBOX, threadTs: card.ts, user: agentB.id, text: 'We will swap it' });
    await eventually(
      'the second refusal',
      () => t.slack.calls.filter((c) => c.method === 'chat.postEphemeral' && c.body.user === agentB.id).length === 2,
    );

    await t.inbox.slackEvents.threadMessage({ channel: INBOX, threadTs: card.ts, user: agentA.id, text: 'A new one is on its way' });
    await eventually("Ana's reply on X", () => t.x.posted.length === 1);
    expect(t.x.posted.map((p) => p.text)).toEqual(['A new one is on its way']);
  });

  it('opens a teammate-approved note in the modal with the "Send to customer" shortcut', async () => {
    await start();
    const { card } = await mention('do you ship to Norway?');
    const { message } = await t.inbox.slackEvents.threadMessage({
      channel: INBOX,
      threadTs: card.ts,
      user: agentB.id,
      text: 'note: Yes &amp; shipping is free over 50 EUR',
    });
    await t.inbox.slackEvents.messageShortcut(shortcutIds.sendToCustomer, message, agentA);
    const modal = await eventually('the prefilled modal', () => modalsOpened()[0]);
    expect(inputText(modal)).toBe('Yes & shipping is free over 50 EUR');
    expect(t.x.posted).toHaveLength(0);
  });
});
