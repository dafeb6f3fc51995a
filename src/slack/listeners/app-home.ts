import type { App, BlockAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { SlackCtx } from '../../context.js';
import { actionIds } from '../views/action-ids.js';
import { homeData, type HomeItem } from '../inbox/home-data.js';
import { homeView } from '../views/home-view.js';
import { messageLink } from '../api/permalink.js';
import { mayReadInbox, whoMay } from '../inbox/roles.js';
import { homeClosed } from '../views/home-closed.js';

/** The agent's local midnight, from the time zone in their Slack profile. */
async function startOfToday(slack: WebClient, user: string, now = Date.now()): Promise<Date> {
  const offsetMs = ((await slack.users.info({ user })).user?.tz_offset ?? 0) * 1000;
  const day = 86_400_000;
  return new Date(Math.floor((now + offsetMs) / day) * day - offsetMs);
}

/**
 * App Home lists customers' words: it is drawn only for agents, and never for a guest (a guest
 * named in `slack.roles` may act on cards in the channels they are in, but not read them all here).
 */
export async function publishHome(s: SlackCtx<'config' | 'log' | 'db'>, user: string): Promise<void> {
  if (!(await mayReadInbox(s, user))) {
    await s.slack.views.publish({
      user_id: user,
      view: homeClosed(`carebot's inbox is for ${whoMay('agent')}. Ask your team lead if you should be one of them.`),
    });
    return;
  }
  const data = await homeData(s.db, user, await startOfToday(s.slack, user));
  const links = new Map<HomeItem, string>();
  for (const item of [...data.mine, ...data.unassigned, ...data.breaches])
    links.set(item, await messageLink(s.slack, item.channel, item.threadTs));
  await s.slack.views.publish({ user_id: user, view: homeView(data, links) });
}

/** App Home is drawn fresh each time an agent opens it (or presses Refresh). */
export function onAppHome(app: App, s: SlackCtx<'config' | 'log' | 'db'>): void {
  app.event('app_home_opened', async ({ event }) => {
    if (event.tab === 'home') await publishHome(s, event.user);
  });
  app.action<BlockAction>(actionIds.homeRefresh, async ({ ack, body }) => {
    await ack();
    await publishHome(s, body.user.id);
  });
}
