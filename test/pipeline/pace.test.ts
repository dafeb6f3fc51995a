import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receive } from '../../src/pipeline/receive.js';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack.js';
import { tweet } from '../support/mentions.js';
import { createHarness, eventually, type Harness } from '../support/services.js';

const INBOX = 'C0INBOX001';
const BILLING = 'C0BILLING1';

describe("Slack's per-channel pace", () => {
  let slack: FakeSlack;
  let h: Harness;
  const dir = mkdtempSync(join(tmpdir(), 'carebot-pace-'));

  beforeAll(async () => {
    slack = await startFakeSlack();
    const config = join(dir, 'carebot.yaml');
    writeFileSync(config, `routes:\n  - { channel: ${BILLING}, keyword: [invoice] }\n`);
    h = await createHarness('pglite', {
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_API_URL: slack.url,
      SLACK_INBOX_CHANNEL: INBOX,
      CAREBOT_CONFIG: config,
      SLACK_CHANNEL_RATE: '2',
      SLACK_CHANNEL_BURST: '2',
    });
    h.startWorkers();
  });
  afterAll(async () => {
    await h.close();
    await slack.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('posts no faster than the pace into one channel, without holding back another', async () => {
    const inbox = Array.from({ length: 8 }, (_, i) => tweet(`@brand the app crashes on start, attempt ${i}`));
    const billing = Array.from({ length: 3 }, (_, i) => tweet(`@brand wrong amount on my invoice ${i}`));
    await receive(h.s, [...inbox, ...billing]);
    await eventually('all 11 cards', () => slack.messages().length === 11, 30_000);

    // The fake's ts is the time it accepted the message, as Slack's is.
    const at = (channel: string) =>
      slack
        .messages(channel)
        .map((m) => Number(m.ts) * 1000)
        .sort((a, b) => a - b);
    const inboxAt = at(INBOX);
    const billingAt = at(BILLING);
    expect(inboxAt).toHaveLength(8);
    expect(billingAt).toHaveLength(3);
    // Two per second: eight messages need at least three more windows after the first.
    expect(inboxAt.at(-1)! - inboxAt[0]!).toBeGreaterThanOrEqual(2500);
    for (let i = 0; i + 4 < inboxAt.length; i++) expect(inboxAt[i + 4]! - inboxAt[i]!).toBeGreaterThanOrEqual(900);
    // The billing channel has its own pace: it is done long before the inbox is.
    expect(billingAt.at(-1)!).toBeLessThan(inboxAt.at(-1)!);
    expect(new Set(slack.messages().map((m) => m.ts)).size).toBe(11);
  });
});
