// An agent turns the spike into an incident mid-outage, the way the team does it in Slack: the
// alert's Declare incident button, the prefilled modal submitted as is, then Broadcast on the
// first update's preview. Each step is a signed request to carebot built from what it posted.
import { actionIds } from '../src/slack/views/action-ids.js';
import { SLACK_EVENTS_PATH } from '../src/slack/app.js';
import { SIGNING_SECRET } from '../sandbox/carebot.js';
import { slackPane } from '../sandbox/slack-pane.js';
import type { World } from '../sandbox/world.js';
import type { SlackMessage } from '../fakes/slack.js';
import { sleep } from './stats.js';

export interface Declared {
  /** When the Declare incident button was pressed / the incident card was in Slack (epoch ms). */
  clickedAt: number;
  cardAt: number;
  card: SlackMessage;
  /** How each network took the broadcast, as carebot reported it in the incident's thread. */
  broadcast: string;
}

async function until<T>(what: string, check: () => T | undefined, timeoutMs: number): Promise<T> {
  for (const end = Date.now() + timeoutMs; ; await sleep(100)) {
    const found = check();
    if (found) return found;
    if (Date.now() > end) throw new Error(`outage bench: no ${what} after ${timeoutMs / 1000} s`);
  }
}

export async function declareFromAlert(world: World, carebotUrl: string, alert: SlackMessage): Promise<Declared> {
  const slack = world.slack;
  const pane = slackPane(slack, carebotUrl + SLACK_EVENTS_PATH, SIGNING_SECRET);
  const modals = slack.modals().length;
  const clickedAt = Date.now();
  await pane.click(alert.channel, alert.ts, actionIds.declareIncident);
  const modal = await until('declare modal', () => slack.modals()[modals], 30_000);
  const errors = await pane.submit(modal.id, {});
  if (Object.keys(errors).length) throw new Error(`outage bench: the declare modal was refused: ${JSON.stringify(errors)}`);
  const card = await until('incident card', () => slack.messages().find((m) => !m.thread_ts && m.text.includes('Incident #')), 30_000);
  const cardAt = Date.now();
  const thread = () => slack.messages(card.channel).filter((m) => m.thread_ts === card.ts);
  const preview = await until('update preview', () => thread().find((m) => m.text.startsWith('Update (')), 30_000);
  await pane.click(preview.channel, preview.ts, actionIds.broadcast);
  const results = await until(
    'broadcast results',
    () => thread().find((m) => /posted|:x:|:warning:|Nothing to broadcast/.test(m.text) && !m.text.startsWith('Update (')),
    30_000,
  );
  return { clickedAt, cardAt, card, broadcast: results.text };
}
