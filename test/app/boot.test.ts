import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overHttp, signedPost, slackRequests } from '../../fakes/slack-requests.js';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack.js';
import { exited, runCarebot, spawnCarebot } from '../support/child.js';
import { eventually } from '../support/services.js';

const SECRET = 'boot-test-signing-secret';

describe('`carebot start` serves Slack at /slack/events', () => {
  let slack: FakeSlack;
  const prefix = `t${randomBytes(5).toString('hex')}`;

  beforeAll(async () => {
    slack = await startFakeSlack();
  });
  afterAll(async () => {
    await slack.close();
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('answers Slack’s URL check and a signed command, refuses a forged request, serves the status page, and stops on SIGTERM', async () => {
    const child = spawnCarebot(
      {
        SLACK_BOT_TOKEN: 'xoxb-test-token',
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: slack.url,
        SLACK_INBOX_CHANNEL: 'C0INBOX001',
        DATA_DIR: 'memory://',
        QUEUE_PREFIX: prefix,
        LOG_LEVEL: 'info',
      },
      'all',
    );
    try {
      const started = await eventually(
        'carebot to start',
        () =>
          child
            .output()
            .split('\n')
            .find((l) => l.includes('"carebot started"')),
        45_000,
      );
      expect(JSON.parse(started)).toMatchObject({ slack: 'http' });
      const url = `http://127.0.0.1:${JSON.parse(started).port}/slack/events`;
      const requests = slackRequests({ slack, deliver: overHttp(url, SECRET) });

      expect(await requests.urlVerification('challenge-token-123')).toEqual({ status: 200, body: { challenge: 'challenge-token-123' } });
      const forged = await signedPost(
        url,
        'not-the-secret',
        JSON.stringify({ type: 'url_verification', challenge: 'x' }),
        'application/json',
      );
      expect(forged.status).toBe(401);
      const answer = await requests.command('/carebot', 'help', { id: 'U0AGENTAAA' }, 'C0INBOX001');
      expect(answer).toMatchObject({
        status: 200,
        body: { response_type: 'ephemeral', text: expect.stringContaining('carebot commands') },
      });
      // The public routes carebot mounts beside Slack's include the status page.
      expect(await (await fetch(new URL('/status.json', url))).json()).toEqual({ status: 'operational', incidents: [] });
    } finally {
      child.kill('SIGTERM');
      expect(await exited(child)).toMatchObject({ code: 0 });
    }
  });

  it('`carebot doctor` checks the Socket Mode token, and says when agents could not reach carebot', async () => {
    const doctor = (env: Record<string, string>) =>
      runCarebot(['doctor'], {
        env: { SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_API_URL: slack.url, DATA_DIR: 'memory://', ...env },
      }).then((r) => ({ code: r.code, out: r.stdout }));
    const socket = await doctor({ SLACK_APP_TOKEN: 'xapp-1-A0CAREBOT1-test' });
    expect(socket.out).toContain(`✓ slack inbox ${slack.url} (app token xapp-…test): Socket Mode (app-level token accepted)`);
    const neither = await doctor({ SLACK_APP_TOKEN: '', SLACK_SIGNING_SECRET: '' });
    expect(neither.out).toMatch(/✗ slack inbox: set SLACK_APP_TOKEN \(Socket Mode\) or SLACK_SIGNING_SECRET/);
    expect(neither.code).toBe(1);
  });
});
