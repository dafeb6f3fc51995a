import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { mentions, replies, slackThreads } from '../../src/db/schema.js';
import type { AnalyzedRow } from '../../src/db/rows.js';
import { cardCustomer, latestMention } from '../../src/slack/inbox/conversation.js';
import { actionIds } from '../../src/slack/views/action-ids.js';
import { followUpMessage } from '../../src/slack/views/card.js';
import { INBOX, agentA, inboxSuite } from '../slack/inbox-harness.js';
import { dbKinds } from '../support/db.js';
import { eventually } from '../support/services.js';
import { repliesSettled } from '../support/settle.js';
import { slackListeners } from '../support/slack-listeners.js';
import { displayed, textsOf } from '../support/slack-payload.js';

/**
 * Finding 5: an agent's answer went to the conversation's newest message, whoever wrote it, so a
 * third party replying in the customer's thread got "your order 4711 is unlocked" under their own
 * tweet. The card's customer is its root mention's author; only their messages are answered.
 */
describe.each(dbKinds)('a third party writing in the customer’s conversation (%s)', (kind) => {
  const t = inboxSuite(kind);
  const listeners = slackListeners();
  const roles = { agents: [agentA.id] };

  /** dana tweets, writes again, then mallory answers in dana's conversation: the newest message is mallory's. */
  const conversation = async () => {
    await t.start({ file: { slack: { roles } } });
    const at = Date.now() - 60_000;
    const { tweet: first, card } = await t.mention('MARK-DANA my order 4711 is locked', {
      authorId: '41',
      username: 'dana',
      createdAt: new Date(at),
    });
    const again = t.x.addMention({
      text: 'MARK-AGAIN still locked, order 4711',
      authorId: '41',
      username: 'dana',
      createdAt: new Date(at + 1000),
      conversationId: first.id,
      inReplyToTweetId: first.id,
    });
    const mallory = t.x.addMention({
      text: 'MARK-MALLORY same here, DM me your login',
      authorId: '66',
      username: 'mallory',
      createdAt: new Date(at + 2000),
      conversationId: first.id,
      inReplyToTweetId: again.id,
    });
    await t.inbox.poll();
    const thread = () => t.slack.messages(INBOX).filter((m) => m.thread_ts === card.ts);
    // Both are shown in the card's thread: the agents see what the third party said.
    await eventually('both follow-ups in the card thread', () =>
      ['MARK-AGAIN', 'MARK-MALLORY'].every((w) => thread().some((m) => JSON.stringify(m.blocks).includes(w))),
    );
    return { first, again, mallory, card };
  };

  it('sends a thread reply under the customer’s own latest tweet, not the third party’s newer one', async () => {
    const { again, mallory, card } = await conversation();
    await t.inbox.slackEvents.threadMessage({ channel: INBOX, threadTs: card.ts, user: agentA.id, text: 'Your order 4711 is unlocked' });
    await eventually('the reply on X', () => t.x.posted.length === 1);
    await listeners.idle();
    await repliesSettled(t.inbox.h);

    expect(t.x.posted).toEqual([expect.objectContaining({ text: 'Your order 4711 is unlocked', inReplyTo: again.id })]);
    expect(t.x.posted.some((p) => p.inReplyTo === mallory.id)).toBe(false);
    const db = t.inbox.h.s.db;
    const [row] = await db
      .select({ to: mentions.externalId, author: mentions.authorHandle })
      .from(replies)
      .innerJoin(mentions, eq(replies.mentionId, mentions.id));
    expect(row).toEqual({ to: again.id, author: 'dana' });
  });

  it('shows the customer’s own latest message in the reply modal, and answers it', async () => {
    const { again, card } = await conversation();
    await t.inbox.slackEvents.clickInMessage(t.inbox.current(card), agentA, actionIds.reply);
    const modal = await eventually('the reply modal', () => t.slack.modals().find((v) => v.callback_id === 'carebot.reply_modal'));
    const shown = textsOf({ method: 'views.open', body: { view: modal } })
      .map((x) => displayed(x.text))
      .join('\n');
    expect(shown).toContain('MARK-AGAIN');
    expect(shown).not.toContain('MARK-MALLORY');
    expect(shown).toContain('@dana');

    await t.inbox.slackEvents.submitView(modal.id, agentA, { text: 'Your order 4711 is unlocked' });
    await eventually('the reply on X', () => t.x.posted.length === 1);
    expect(t.x.posted[0]).toMatchObject({ inReplyTo: again.id });
  });

  it('tells a third party’s message in the card thread apart from the customer’s', async () => {
    await conversation();
    const db = t.inbox.h.s.db;
    const [thread] = await db.select().from(slackThreads);
    const customer = await cardCustomer(db, thread!);
    expect(customer).toEqual({ authorId: '41', authorHandle: 'dana' });
    expect((await latestMention(db, thread!)).text).toContain('MARK-AGAIN');

    const rows = (await db.select().from(mentions)) as AnalyzedRow[];
    const byText = (w: string) => rows.find((r) => r.text?.includes(w))!;
    const mallory = followUpMessage(byText('MARK-MALLORY'), byText('MARK-MALLORY').triage, customer);
    const dana = followUpMessage(byText('MARK-AGAIN'), byText('MARK-AGAIN').triage, customer);
    expect(mallory.text).toContain('@mallory (not the customer of this card)');
    expect(JSON.stringify(mallory.blocks)).toContain('@mallory (not the customer of this card)');
    expect(JSON.stringify(mallory.blocks)).toContain('replies from this card go to @dana');
    expect(dana.text).not.toContain('not the customer');
    expect(JSON.stringify(dana.blocks)).not.toContain('not the customer');
  });

  it('marks the third party’s message in the card thread as not from the card’s customer', async () => {
    const { card } = await conversation();
    const inThread = (w: string) => t.slack.messages(INBOX).find((m) => m.thread_ts === card.ts && JSON.stringify(m.blocks).includes(w))!;
    const shown = (m: { text: string; blocks?: unknown[] }) =>
      textsOf({ method: 'chat.postMessage', body: { text: m.text, blocks: m.blocks } })
        .map((x) => displayed(x.text))
        .join('\n');
    expect(shown(inThread('MARK-MALLORY'))).toContain('@mallory (not the customer of this card)');
    expect(inThread('MARK-MALLORY').text).toContain('@mallory (not the customer of this card)');
    expect(shown(inThread('MARK-AGAIN'))).not.toContain('not the customer');
  });
});
