import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, LogLevel, WebClient, WebClientEvent, type WebAPIPlatformError, type WebAPIRateLimitedError } from '@slack/web-api';
import { App, type Receiver } from '@slack/bolt';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack.js';

// Retries fast so the 429 test waits only for Retry-After, not for backoff.
const quickRetries = { retries: 2, minTimeout: 0, maxTimeout: 10 };
const logLevel = LogLevel.ERROR;

describe('fake Slack Web API driven by the real WebClient', () => {
  let slack: FakeSlack;
  let client: WebClient;

  beforeAll(async () => {
    slack = await startFakeSlack({ botUserId: 'U0BOT00001', teamId: 'T0TEAM0001' });
    client = new WebClient('xoxb-test-token', { slackApiUrl: slack.url, retryConfig: quickRetries, logLevel });
  });
  afterAll(async () => {
    await slack.close();
  });
  beforeEach(() => slack.reset());

  it('answers auth.test with the configured bot and team', async () => {
    const auth = await client.auth.test();
    expect(auth).toMatchObject({ ok: true, user_id: 'U0BOT00001', team_id: 'T0TEAM0001' });
  });

  it('posts a message, a threaded reply, and updates the message', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*New mention* from @ana' } }];
    const parent = await client.chat.postMessage({ channel: 'C0SUPPORT1', text: 'New mention', blocks });
    expect(parent.ok).toBe(true);
    expect(parent.channel).toBe('C0SUPPORT1');
    expect(parent.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(parent.message?.blocks).toEqual(blocks);

    const reply = await client.chat.postMessage({ channel: 'C0SUPPORT1', thread_ts: parent.ts!, text: 'Replied on X' });
    expect(reply.message?.thread_ts).toBe(parent.ts);
    expect(Number(reply.ts)).toBeGreaterThan(Number(parent.ts));

    const updated = await client.chat.update({ channel: 'C0SUPPORT1', ts: parent.ts!, text: 'Handled', blocks: [] });
    expect(updated).toMatchObject({ ok: true, ts: parent.ts, text: 'Handled' });

    expect(slack.messages('C0SUPPORT1')).toEqual([
      { channel: 'C0SUPPORT1', ts: parent.ts, text: 'Handled', blocks: [], edits: 1 },
      { channel: 'C0SUPPORT1', ts: reply.ts, thread_ts: parent.ts, text: 'Replied on X', edits: 0 },
    ]);
    // web-api sends form-encoded bodies; the fake decodes `blocks` back into an array.
    const post = slack.calls.find((c) => c.method === 'chat.postMessage');
    expect(post?.body.blocks).toEqual(blocks);
  });

  it('serves the other methods carebot uses', async () => {
    const posted = await client.chat.postMessage({ channel: 'C0SUPPORT1', text: 'card' });
    const threaded = await client.chat.postMessage({ channel: 'C0SUPPORT1', text: 'r', thread_ts: posted.ts! });

    const link = await client.chat.getPermalink({ channel: 'C0SUPPORT1', message_ts: threaded.ts! });
    expect(link.permalink).toContain(`/archives/C0SUPPORT1/p${threaded.ts!.replace('.', '')}?thread_ts=${posted.ts}`);

    const eph = await client.chat.postEphemeral({ channel: 'C0SUPPORT1', user: 'U0AGENT001', text: 'only you' });
    expect(eph.message_ts).toBeDefined();

    const opened = await client.views.open({
      trigger_id: '123.456.abc',
      view: { type: 'modal', callback_id: 'reply', title: { type: 'plain_text', text: 'Reply' }, blocks: [] },
    });
    expect(opened.view?.id).toMatch(/^V/);
    const updated = await client.views.update({
      view_id: opened.view!.id!,
      hash: opened.view!.hash!,
      view: { type: 'modal', title: { type: 'plain_text', text: 'Sent' }, blocks: [] },
    });
    expect(updated.view?.hash).not.toBe(opened.view?.hash);
    await expect(
      client.views.update({
        view_id: opened.view!.id!,
        hash: opened.view!.hash!,
        view: { type: 'modal', title: { type: 'plain_text', text: 'Stale' }, blocks: [] },
      }),
    ).rejects.toMatchObject({ data: { error: 'hash_conflict' } });

    const home = await client.views.publish({ user_id: 'U0AGENT001', view: { type: 'home', blocks: [] } });
    expect(home.view?.type).toBe('home');

    slack.addUser({ id: 'U0AGENT001', realName: 'Ana Agent', email: 'ana@example.com' });
    const user = await client.users.info({ user: 'U0AGENT001' });
    expect(user.user?.profile?.email).toBe('ana@example.com');

    const info = await client.conversations.info({ channel: 'C0SUPPORT1' });
    expect(info.channel?.is_member).toBe(true);

    await client.reactions.add({ channel: 'C0SUPPORT1', timestamp: posted.ts!, name: 'white_check_mark' });
    await expect(client.reactions.add({ channel: 'C0SUPPORT1', timestamp: posted.ts!, name: 'white_check_mark' })).rejects.toMatchObject({
      data: { error: 'already_reacted' },
    });
    expect(slack.reactions).toEqual([{ channel: 'C0SUPPORT1', ts: posted.ts, name: 'white_check_mark' }]);
  });

  it('rejects bad tokens and channels the bot is not in', async () => {
    const bad = new WebClient('xoxp-user-token', { slackApiUrl: slack.url, retryConfig: quickRetries, logLevel });
    const err = (await bad.auth.test().catch((e: unknown) => e)) as WebAPIPlatformError;
    expect(err.code).toBe(ErrorCode.PlatformError);
    expect(err.data.error).toBe('invalid_auth');

    const anonymous = new WebClient(undefined, { slackApiUrl: slack.url, retryConfig: quickRetries, logLevel });
    await expect(anonymous.auth.test()).rejects.toMatchObject({ data: { error: 'not_authed' } });

    slack.addChannel({ id: 'C0PRIVATE1', name: 'vip', isMember: false });
    await expect(client.chat.postMessage({ channel: 'C0PRIVATE1', text: 'hi' })).rejects.toMatchObject({
      data: { error: 'not_in_channel' },
    });
    await expect(client.chat.postMessage({ channel: 'C0SUPPORT1' } as never)).rejects.toMatchObject({
      data: { error: 'no_text' },
    });
  });

  it('retries a 429 after Retry-After and then succeeds', async () => {
    const limited: number[] = [];
    client.on(WebClientEvent.RATE_LIMITED, (seconds: number) => limited.push(seconds));
    slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 });

    const res = await client.chat.postMessage({ channel: 'C0SUPPORT1', text: 'after the pause' });

    expect(res.ok).toBe(true);
    expect(limited).toEqual([1]);
    expect(slack.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(2);
    expect(slack.messages()).toHaveLength(1);
  });

  it('surfaces a 429 as a rate-limit error when rejectRateLimitedCalls is set', async () => {
    const strict = new WebClient('xoxb-test-token', { slackApiUrl: slack.url, rejectRateLimitedCalls: true, logLevel });
    slack.failNext('chat.postMessage', { status: 429, retryAfter: 30 });

    const err = (await strict.chat.postMessage({ channel: 'C0SUPPORT1', text: 'x' }).catch((e: unknown) => e)) as WebAPIRateLimitedError;

    expect(err.code).toBe(ErrorCode.RateLimitedError);
    expect(err.retryAfter).toBe(30);
    expect(slack.messages()).toHaveLength(0);
  });

  it('retries a 500 and injects platform errors', async () => {
    slack.failNext('chat.postMessage', { status: 500 });
    await expect(client.chat.postMessage({ channel: 'C0SUPPORT1', text: 'eventually' })).resolves.toMatchObject({
      ok: true,
    });
    expect(slack.calls).toHaveLength(2);

    slack.failNext('views.open', { error: 'expired_trigger_id' });
    await expect(
      client.views.open({ trigger_id: 't', view: { type: 'modal', title: { type: 'plain_text', text: 'x' }, blocks: [] } }),
    ).rejects.toMatchObject({
      data: { error: 'expired_trigger_id' },
    });
  });

  it('waitFor resolves for calls that already arrived and for later ones', async () => {
    await client.chat.postMessage({ channel: 'C0SUPPORT1', text: 'first' });
    await expect(slack.waitFor((c) => c.body.text === 'first', 100)).resolves.toMatchObject({
      method: 'chat.postMessage',
    });
    const later = slack.waitFor((c) => c.method === 'reactions.add');
    await client.reactions.add({ channel: 'C0SUPPORT1', timestamp: '1700000000.000100', name: 'eyes' });
    await expect(later).resolves.toMatchObject({ body: { name: 'eyes' } });
  });

  it('accepts JSON bodies with a bearer header, like Slack does for non-SDK callers', async () => {
    const res = await fetch(`${slack.url}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: 'Bearer xoxb-test-token' },
      body: JSON.stringify({ channel: 'C0SUPPORT1', text: 'json', blocks: [{ type: 'divider' }] }),
    });
    expect(await res.json()).toMatchObject({ ok: true, message: { blocks: [{ type: 'divider' }] } });
  });

  it('serves Bolt: init runs auth.test and say() posts into the thread', async () => {
    const noopReceiver: Receiver = { init: () => {}, start: async () => {}, stop: async () => {} };
    const app = new App({
      token: 'xoxb-test-token',
      receiver: noopReceiver,
      deferInitialization: true,
      logLevel,
      clientOptions: { slackApiUrl: slack.url, retryConfig: quickRetries },
    });
    await app.init();
    expect(slack.calls.map((c) => c.method)).toEqual(['auth.test']);

    app.event('app_mention', async ({ event, say }) => {
      await say({ text: 'On it', thread_ts: event.ts });
    });
    await app.processEvent({
      body: {
        type: 'event_callback',
        team_id: 'T0TEAM0001',
        api_app_id: 'A0CAREBOT1',
        event_id: 'Ev0001',
        event_time: 1700000000,
        event: {
          type: 'app_mention',
          user: 'U0AGENT001',
          text: '<@U0BOT00001> take this one',
          ts: '1700000000.000100',
          channel: 'C0SUPPORT1',
          event_ts: '1700000000.000100',
        },
      },
      ack: async () => {},
    });

    expect(slack.messages()).toEqual([expect.objectContaining({ channel: 'C0SUPPORT1', thread_ts: '1700000000.000100', text: 'On it' })]);
  });
});
