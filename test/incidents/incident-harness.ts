import { afterAll, afterEach, beforeAll } from 'vitest';
import { receive } from '../../src/pipeline/receive.js';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/discord.js';
import type { SlackMessage } from '../../fakes/slack.js';
import { INBOX, agentA, inboxSuite, type InboxOptions, type InboxSuite } from '../slack/inbox-harness.js';
import type { DbKind } from '../support/db.js';
import { eventually } from '../support/services.js';

/** agentA is a lead (declares, updates, broadcasts); agentB is an agent only. */
export const incidentFile = (announcementChannel: string, more: Record<string, unknown> = {}) => ({
  discord: { announcementChannel },
  slack: { roles: { leads: [agentA.id] } },
  ...more,
});

export interface IncidentSuite extends InboxSuite {
  readonly discord: FakeDiscord;
  /**
   * carebot with fake Slack, X and Discord (its gateway connected unless `gateway: false`, as in
   * an `http` process), incidents on.
   */
  startAll(incidents?: Record<string, unknown>, opts?: Pick<InboxOptions, 'workers'> & { gateway?: boolean }): Promise<void>;
  /** Declares an incident through `/carebot incident` and the modal; returns the card and the first preview. */
  declare(inputs: Record<string, string>): Promise<{ card: SlackMessage; preview: SlackMessage }>;
  /** The messages in the incident card's thread. */
  thread(card: SlackMessage): SlackMessage[];
  /** The newest modal the fake Slack opened. */
  lastModal(): { id: string };
}

/** The inbox suite plus a fake Discord, for the incident tests. */
export function incidentSuite(kind: DbKind): IncidentSuite {
  const suite = inboxSuite(kind);
  let discord: FakeDiscord;
  beforeAll(async () => {
    discord = await startFakeDiscord();
  });
  afterAll(() => discord.close());
  afterEach(() => {
    discord.sent.length = 0;
    discord.crossposted.length = 0;
  });
  const thread = (card: SlackMessage) => suite.slack.messages(INBOX).filter((m) => m.thread_ts === card.ts);
  const lastModal = () => suite.slack.modals().at(-1)!;
  const extended = Object.create(suite) as IncidentSuite;
  Object.defineProperty(extended, 'discord', { get: () => discord });
  return Object.assign(extended, {
    thread,
    lastModal,
    async startAll(incidents: Record<string, unknown> = {}, { gateway = true, ...opts } = {}) {
      const inbox = await suite.start({
        ...opts,
        env: { DISCORD_TOKEN: 'discord-test-token', DISCORD_API_URL: discord.apiUrl },
        file: incidentFile(discord.channelId('announcements'), { incidents }),
      });
      if (gateway) await inbox.h.s.connectors.discord!.start!((items) => receive(inbox.h.s, items));
    },
    async declare(inputs: Record<string, string>) {
      const modals = suite.slack.modals().length;
      await suite.inbox.slackEvents.command('/carebot', 'incident', agentA, INBOX);
      await eventually('the incident modal', () => suite.slack.modals().length > modals);
      const res = await suite.inbox.slackEvents.submitView(lastModal().id, agentA, inputs);
      if (res.status !== 200 || (res.body && typeof res.body === 'object'))
        throw new Error(`the modal was refused: ${JSON.stringify(res.body)}`);
      const card = await eventually('the incident card', () =>
        suite.slack.messages(INBOX).findLast((m) => !m.thread_ts && m.text.includes('Incident #')),
      );
      const preview = await eventually('the preview', () => thread(card).find((m) => m.text.startsWith('Update (')));
      return { card, preview };
    },
  });
}
