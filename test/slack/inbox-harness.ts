import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { stringify } from 'yaml';
import { createHttpApp, listen } from '../../src/http/server.js';
import { receive } from '../../src/pipeline/receive.js';
import { createSlackApp, SLACK_EVENTS_PATH } from '../../src/slack/app.js';
import { overHttp, overSocket, slackRequests, type SlackRequests } from '../fakes/slack-requests.js';
import type { FakeSlack, SlackMessage } from '../fakes/slack.js';
import type { FakeTwitter } from '../fakes/twitter.js';
import type { DbKind } from '../support/db.js';
import { createHarness, eventually, type Harness } from '../support/services.js';

export const INBOX = 'C0INBOX001';
export const SIGNING_SECRET = 'test-signing-secret-8f3a1c';
export const BRAND_ID = '1500000000000000001';
export const agentA = { id: 'U0AGENTAAA', name: 'ana' };
export const agentB = { id: 'U0AGENTBBB', name: 'ben' };

export interface Inbox {
  h: Harness;
  /** What Slack sends the app, over HTTP or the Socket Mode connection (whichever the app uses). */
  slackEvents: SlackRequests;
  /** The /slack/events URL (HTTP mode only). */
  url: string;
  /** Polls the fake X once through the real connector, as the poll worker would. */
  poll(): Promise<void>;
  /** The card (top-level message) in the inbox whose text mentions `words`, once it is there. */
  card(words: string): Promise<SlackMessage>;
  /** The card as it is now (after chat.update). */
  current(card: SlackMessage): SlackMessage;
  close(): Promise<void>;
}

/**
 * carebot as it runs: workers on the real Redis and database, the Bolt app behind carebot's own
 * HTTP server at /slack/events, the X connector pointed at the fake X, Slack at the fake Slack.
 * `file` is the CAREBOT_CONFIG YAML (routes, canned replies, permissions, SLA…).
 */
export async function startInbox(
  kind: DbKind,
  fakes: { slack: FakeSlack; x: FakeTwitter },
  opts: { env?: Record<string, string>; file?: Record<string, unknown> } = {},
): Promise<Inbox> {
  const configFile = join(tmpdir(), `carebot-slack-${randomBytes(4).toString('hex')}.yaml`);
  writeFileSync(configFile, stringify(opts.file ?? {}));
  const h = await createHarness(kind, {
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fakes.slack.url,
    SLACK_INBOX_CHANNEL: INBOX,
    TWITTER_API_URL: fakes.x.url,
    TWITTER_BEARER_TOKEN: 'AAAA-test-bearer',
    TWITTER_API_KEY: 'key',
    TWITTER_API_SECRET: 'consumer-secret',
    TWITTER_ACCESS_TOKEN: 'access',
    TWITTER_ACCESS_SECRET: 'access-secret',
    TWITTER_USER_ID: BRAND_ID,
    CAREBOT_CONFIG: configFile,
    ...opts.env,
  });
  h.startWorkers();
  const slackApp = createSlackApp(h.s)!;
  // HTTP mode: Bolt's route on carebot's own server. Socket Mode: no route; the app connects out.
  const server: Server | undefined = slackApp.mount ? await listen(createHttpApp(h.s, [slackApp.mount]), 0) : undefined;
  const url = server ? `http://127.0.0.1:${(server.address() as { port: number }).port}${SLACK_EVENTS_PATH}` : '';
  await slackApp.start();
  const cards = () => fakes.slack.messages(INBOX).filter((m) => !m.thread_ts);
  return {
    h,
    url,
    slackEvents: slackRequests({ slack: fakes.slack, deliver: server ? overHttp(url, SIGNING_SECRET) : overSocket(fakes.slack) }),
    async poll() {
      await h.s.connectors.twitter!.poll!((items) => receive(h.s, items));
    },
    card: (words) => eventually(`the card for "${words}"`, () => cards().find((m) => JSON.stringify(m.blocks).includes(words))),
    current: (card) => fakes.slack.messages(card.channel).find((m) => m.ts === card.ts)!,
    async close() {
      await slackApp.stop();
      if (server) await new Promise<void>((r) => server.close(() => r()));
      await h.close();
      rmSync(configFile, { force: true });
    },
  };
}
