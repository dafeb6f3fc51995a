import { describe, expect, it } from 'vitest';
import { actionIds } from '../../src/slack/views/action-ids.js';
import { eventually } from '../support/services.js';
import { INBOX, agentA, inboxSuite } from './inbox-harness.js';

describe('Socket Mode (SLACK_APP_TOKEN set): no public URL', () => {
  const t = inboxSuite();

  it('connects with the app-level token and handles events, buttons and commands from its WebSocket', async () => {
    const inbox = await t.start({ env: { SLACK_APP_TOKEN: 'xapp-1-A0CAREBOT1-test', SLACK_SIGNING_SECRET: '' } });
    expect(inbox.url).toBe('');
    expect(t.slack.socketConnections()).toBe(1);
    expect(t.slack.calls.find((c) => c.method === 'apps.connections.open')).toBeDefined();

    const tweet = t.x.addMention({ text: 'the app logs me out every hour', authorId: '11', username: 'jamie' });
    await inbox.poll();
    const card = await inbox.card('the app logs me out every hour');

    await inbox.slackEvents.clickInMessage(inbox.current(card), agentA, actionIds.assignMe);
    await eventually('the card assigned', () => JSON.stringify(inbox.current(card).blocks?.[0]).includes(`Assigned to <@${agentA.id}>`));

    await inbox.slackEvents.threadMessage({ channel: INBOX, threadTs: card.ts, user: agentA.id, text: 'A fix ships tomorrow, sorry!' });
    await eventually('the reply on X', () => t.x.posted.length === 1);
    expect(t.x.posted[0]).toMatchObject({ inReplyTo: tweet.id, text: 'A fix ships tomorrow, sorry!' });

    const answer = await inbox.slackEvents.command('/carebot', '', agentA, INBOX);
    expect(answer.body).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('*Your open assignments:* 1') });

    await t.inbox.close();
    await eventually('the connection closed', () => t.slack.socketConnections() === 0);
  });
});
