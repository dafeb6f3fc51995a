import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { stringify } from 'yaml';
import { createHttpApp, listen } from '../../src/http/server.js';
import { receive } from '../../src/pipeline/receive.js';
import { createSlackApp, SLACK_EVENTS_PATH } from '../../src/slack/app.js';
import { overHttp, overSocket, slackRequests, type SlackRequests } from '../../fakes/slack-requests.js';
import { startFakeSlack, type FakeSlack, type SlackMessage } from '../../fakes/slack.js';
import { startFakeTwitter, type FakeTwitter, type MentionInput, type XTweet } from '../../fakes/twitter.js';
import type { DbKind } from '../support/db.js';
import { createHarness, eventually, type Harness } from '../support/services.js';
import { registry } from '../../connectors/registry.js';
import { createConnectorStore } from '../../src/db/connector-store.js';

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
  /** Stops everything; safe to call twice. */
  close(): Promise<void>;
}

export interface InboxOptions {
  env?: Record<string, string>;
  file?: Record<string, unknown>;
  /** `false`: no workers in the test's process (a child process runs them, as in production). */
  workers?: boolean;
}

/**
 * carebot as it runs: workers on the real Redis and database, the Bolt app behind carebot's own
 * HTTP server at /slack/events, the X connector pointed at the fake X, Slack at the fake Slack.
 * `file` is the CAREBOT_CONFIG YAML (routes, canned replies, permissions, SLA…).
 */
export async function startInbox(kind: DbKind, fakes: { slack: FakeSlack; x: FakeTwitter }, opts: InboxOptions = {}): Promise<Inbox> {
  // The two agents are agents the way most teams set it up: members of the inbox channel, no roles configured.
  fakes.slack.addChannel({ id: INBOX, name: 'inbox', members: [agentA.id, agentB.id] });
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
  if (opts.workers !== false) h.startWorkers();
  const slackApp = createSlackApp(h.s)!;
  // HTTP mode: Bolt's route on carebot's own server. Socket Mode: no route; the app connects out.
  const server: Server | undefined = slackApp.mount ? await listen(createHttpApp(h.s, [slackApp.mount]), 0) : undefined;
  const url = server ? `http://127.0.0.1:${(server.address() as { port: number }).port}${SLACK_EVENTS_PATH}` : '';
  await slackApp.start();
  const cards = () => fakes.slack.messages(INBOX).filter((m) => !m.thread_ts);
  let closing: Promise<void> | undefined;
  return {
    h,
    url,
    slackEvents: slackRequests({ slack: fakes.slack, deliver: server ? overHttp(url, SIGNING_SECRET) : overSocket(fakes.slack) }),
    async poll() {
      // A connector of its own, as a freshly started poll worker has: the running one keeps when each
      // feed (mentions, DMs) is due, and the scheduler may just have polled mentions.
      const fresh = await registry.twitter.create(h.config, { store: createConnectorStore(h.s.db), log: h.s.log });
      await fresh.poll!((items) => receive(h.s, items));
    },
    card: (words) => eventually(`the card for "${words}"`, () => cards().find((m) => JSON.stringify(m.blocks).includes(words))),
    current: (card) => fakes.slack.messages(card.channel).find((m) => m.ts === card.ts)!,
    close() {
      closing ??= (async () => {
        await slackApp.stop();
        if (server) await new Promise<void>((r) => server.close(() => r()));
        await h.close();
        rmSync(configFile, { force: true });
      })();
      return closing;
    },
  };
}

export interface InboxSuite {
  readonly slack: FakeSlack;
  readonly x: FakeTwitter;
  readonly inbox: Inbox;
  /** Starts the fake X and carebot for one test (stopped after it). */
  start(opts?: InboxOptions): Promise<Inbox>;
  /** A customer tweets at the brand; carebot polls X and posts the card. */
  mention(text: string, author?: Partial<MentionInput>): Promise<{ tweet: XTweet; card: SlackMessage }>;
}

/**
 * The hooks every Slack inbox test file needs, for use inside `describe`: one fake Slack for the
 * file (`seed` adds its users, groups and channels), and a fresh fake X and carebot per test.
 */
export function inboxSuite(kind: DbKind = 'pglite', seed?: (slack: FakeSlack) => void): InboxSuite {
  let slack: FakeSlack;
  let x: FakeTwitter | undefined;
  let inbox: Inbox | undefined;
  beforeAll(async () => {
    slack = await startFakeSlack();
    seed?.(slack);
  });
  afterAll(() => slack.close());
  afterEach(async () => {
    await inbox?.close();
    await x?.close();
    inbox = x = undefined;
    slack.reset();
  });
  return {
    get slack() {
      return slack;
    },
    get x() {
      return x!;
    },
    get inbox() {
      return inbox!;
    },
    async start(opts = {}) {
      x = await startFakeTwitter({ brandUserId: BRAND_ID, brandUsername: 'acme' });
      inbox = await startInbox(kind, { slack, x }, opts);
      return inbox;
    },
    async mention(text, author = {}) {
      const tweet = x!.addMention({ text, authorId: '11', username: 'jamie', ...author });
      await inbox!.poll();
      return { tweet, card: await inbox!.card(text) };
    },
  };
}
