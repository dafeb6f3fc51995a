import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionIds } from '../../src/slack/views/action-ids.js';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack.js';
import { startFakeTwitter, type FakeTwitter } from '../../fakes/twitter.js';
import { eventually } from '../support/services.js';
import { BRAND_ID, INBOX, agentA, startInbox, type Inbox } from './inbox-harness.js';

/**
 * One conversation from first tweet to follow-up, as an agent sees it: the card, its thread, the
 * reply modal and App Home. With SLACK_EXAMPLES_DIR set, the Block Kit JSON of each is written
 * there (docs/slack/ holds the copies docs/slack.md links; paste one into Block Kit Builder to see it).
 */
describe('a conversation as agents see it in Slack', () => {
  let slack: FakeSlack;
  let x: FakeTwitter;
  let inbox: Inbox;

  beforeAll(async () => {
    slack = await startFakeSlack();
    slack.addUser({ id: agentA.id, name: 'ana', displayName: 'Ana' });
    x = await startFakeTwitter({ brandUserId: BRAND_ID, brandUsername: 'acme' });
    inbox = await startInbox(
      'pglite',
      { slack, x },
      {
        file: {
          slack: {
            cannedReplies: [
              { name: 'Order delayed', text: 'Hi {{customer}}, sorry for the wait! Could you DM us your order number? – {{agent}}' },
            ],
          },
        },
      },
    );
  });
  afterAll(async () => {
    await inbox.close();
    await x.close();
    await slack.close();
  });

  it('renders the card, the thread, the reply modal and App Home', async () => {
    const tweet = x.addMention({
      text: 'ordered a week ago and still nothing. where is my package??',
      authorId: '11',
      username: 'jamie_r',
      name: 'Jamie Rivera',
      followers: 12_400,
    });
    await inbox.poll();
    const card = await inbox.card('where is my package');
    await inbox.slackEvents.clickInMessage(inbox.current(card), agentA, actionIds.assignMe);
    await inbox.slackEvents.clickInMessage(inbox.current(card), agentA, actionIds.reply);
    const modal = await eventually('the reply modal', () => slack.modals()[0]);
    await inbox.slackEvents.clickInView(modal.id, agentA, actionIds.canned, { value: '0' });
    await eventually('the canned reply in the modal', () => JSON.stringify(slack.view(modal.id)).includes('sorry for the wait'));
    const filledModal = slack.view(modal.id)!;
    await inbox.slackEvents.submitView(modal.id, agentA);
    await eventually('the ✅', () => slack.messages(INBOX).some((m) => m.thread_ts === card.ts && m.text.startsWith(':white_check_mark:')));

    x.addMention({
      text: 'DMed you, thanks!',
      authorId: '11',
      username: 'jamie_r',
      conversationId: tweet.id,
      inReplyToTweetId: x.posted[0]!.id,
    });
    await inbox.poll();
    await eventually('the follow-up in the thread', () =>
      slack.messages(INBOX).some((m) => m.thread_ts === card.ts && m.text.includes('DMed you')),
    );
    await inbox.slackEvents.appHomeOpened(agentA.id);
    const home = await eventually('App Home', () => slack.homeOf(agentA.id));

    const finalCard = inbox.current(card);
    expect(JSON.stringify(finalCard.blocks?.[0])).toContain(`Replied · <@${agentA.id}>`);
    const thread = slack.messages(INBOX).filter((m) => m.thread_ts === card.ts);
    expect(thread.map((m) => m.text.slice(0, 20))).toEqual([
      expect.stringContaining(':white_check_mark:'),
      expect.stringContaining('@jamie_r'),
    ]);
    expect(JSON.stringify(home)).toContain('My open assignments (1)');

    const dir = process.env.SLACK_EXAMPLES_DIR;
    if (dir) {
      mkdirSync(dir, { recursive: true });
      const write = (name: string, value: unknown) => writeFileSync(join(dir, name), `${JSON.stringify(value, null, 2)}\n`);
      write('card.json', { blocks: finalCard.blocks });
      write(
        'thread.json',
        thread.map((m) => ({ text: m.text, ...(m.blocks ? { blocks: m.blocks } : {}) })),
      );
      write('reply-modal.json', {
        type: 'modal',
        title: filledModal.title,
        submit: filledModal.submit,
        close: filledModal.close,
        blocks: filledModal.blocks,
      });
      write('app-home.json', { type: 'home', blocks: home.blocks });
    }
  });
});
