import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { actionIds } from '../../src/slack/action-ids.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack.js';
import { startFakeTwitter, type FakeTwitter } from '../fakes/twitter.js';
import { eventually } from '../support/services.js';
import { BRAND_ID, INBOX, agentA, startInbox, type Inbox } from './inbox-harness.js';

describe('Socket Mode (SLACK_APP_TOKEN set): no public URL', () => {
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

  it('connects with the app-level token and handles events, buttons and commands from its WebSocket', async () => {
    x = await startFakeTwitter({ brandUserId: BRAND_ID, brandUsername: 'acme' });
    inbox = await startInbox('pglite', { slack, x }, { env: { SLACK_APP_TOKEN: 'xapp-1-A0CAREBOT1-test', SLACK_SIGNING_SECRET: '' } });
    expect(inbox.url).toBe('');
    expect(slack.socketConnections()).toBe(1);
    expect(slack.calls.find((c) => c.method === 'apps.connections.open')).toBeDefined();

    const tweet = x.addMention({ text: 'the app logs me out every hour', authorId: '11', username: 'jamie' });
    await inbox.poll();
    const card = await inbox.card('the app logs me out every hour');

    await inbox.slackEvents.clickInMessage(inbox.current(card), agentA, actionIds.assignMe);
    await eventually('the card assigned', () => JSON.stringify(inbox.current(card).blocks?.[0]).includes(`Assigned to <@${agentA.id}>`));

    await inbox.slackEvents.threadMessage({ channel: INBOX, threadTs: card.ts, user: agentA.id, text: 'A fix ships tomorrow, sorry!' });
    await eventually('the reply on X', () => x.posted.length === 1);
    expect(x.posted[0]).toMatchObject({ inReplyTo: tweet.id, text: 'A fix ships tomorrow, sorry!' });

    const answer = await inbox.slackEvents.command('/carebot', '', agentA, INBOX);
    expect(answer.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('*Your open assignments:* 1') });

    await inbox.close();
    inbox = undefined!;
    await eventually('the connection closed', () => slack.socketConnections() === 0);
  });
});
