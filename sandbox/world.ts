// The outside world of the sandbox: the loopback fakes of Slack, X and Discord (the same ones
// the tests use), seeded with a workspace, a brand account and a Discord server.
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack.js';
import { startFakeTwitter, type FakeTwitter } from '../fakes/twitter.js';

/** The Slack channels the page lists, in order: cards, outage alerts, incident updates. */
export const channels = [
  { id: 'C0INBOX001', name: 'customer-care' },
  { id: 'C0OUTAGES1', name: 'outages' },
  { id: 'C0STATUS01', name: 'status' },
] as const;
export const INBOX = channels[0].id;
export const ALERTS = channels[1].id;
export const STATUS = channels[2].id;

/** The visitor, as a support agent in the team's Slack. */
export const agent = { id: 'U0DEMOAGNT', name: 'sam' };
export const BRAND = { id: '1500000000000000001', username: 'acme', name: 'Acme' };

export interface World {
  slack: FakeSlack;
  x: FakeTwitter;
  discord: FakeDiscord;
  close(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  const [slack, x, discord] = await Promise.all([
    startFakeSlack(),
    // The brand's app may send DMs: X's "Read and write and Direct message" permission (replies to DMs go back as DMs).
    startFakeTwitter({ brandUserId: BRAND.id, brandUsername: BRAND.username, appPermission: 'read-write-directmessages' }),
    startFakeDiscord(),
  ]);
  for (const c of channels) slack.addChannel({ id: c.id, name: c.name, members: [agent.id] });
  // The visitor runs the whole demo, incidents included: the workspace's admin, so agent, lead and admin.
  slack.addUser({ id: agent.id, name: agent.name, realName: 'Sam Rivera', displayName: 'sam', isAdmin: true });
  return {
    slack,
    x,
    discord,
    async close() {
      await Promise.all([slack.close(), x.close(), discord.close()]);
    },
  };
}
