// What the scripted story's parts share: waiting for what carebot does, reading Slack as the
// agent sees it, and acting the way the agent would (a button found by its label, a modal found
// by its title and filled by its labels).
import type { SlackMessage } from '../fakes/slack.js';
import type { Customers } from './customers.js';
import { buttonByLabel, inputsByLabel, type SlackPane } from './slack-pane.js';
import type { World } from './world.js';

/** Where the page should look: a channel, and a thread in it. */
export interface Focus {
  channel: string;
  threadTs?: string;
}

/** The moments the story lets the viewer look at before it goes on. */
export type Moment = 'alert' | 'declare-modal' | 'preview' | 'broadcast' | 'linked' | 'update-modal' | 'resolve-modal' | 'follow-ups';

export interface Story {
  world: World;
  pane: SlackPane;
  people: Customers;
  /** Milliseconds between customers' posts. */
  gap: number;
  /** A line in the page's step log; with `focus`, the page turns to it. */
  step(line: string, focus?: Focus): void;
  beat(moment: Moment): Promise<void>;
}

/** A scripted customer: a tweet, a mention of the bot in Discord's #general, or a Discord DM. */
export interface Customer {
  name: string;
  text: string;
  on: 'x' | 'discord' | 'dm';
}

export const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function until<T>(what: string, check: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await pause(100);
  }
}

export const topLevel = (world: World, channel: string) =>
  world.slack.messages(channel).filter((m) => !m.thread_ts || m.thread_ts === m.ts);
export const repliesTo = (world: World, root: SlackMessage) =>
  world.slack.messages(root.channel).filter((m) => m.thread_ts === root.ts && m.ts !== root.ts);
/** A message as it is now (carebot edits cards and previews in place). */
export const current = (world: World, m: SlackMessage) => world.slack.messages(m.channel).find((x) => x.ts === m.ts) ?? m;

/** The agent presses the button labelled `label` on `message`. */
export async function press(story: Story, message: SlackMessage, label: string): Promise<void> {
  const actionId = buttonByLabel(current(story.world, message).blocks, label);
  if (!actionId) throw new Error(`no "${label}" button on the message "${message.text.slice(0, 60)}"`);
  await story.pane.click(message.channel, message.ts, actionId);
}

/** Waits for the modal titled `title`, types `byLabel` into it, lets the viewer look, and submits it. */
export async function fillModal(story: Story, title: string, byLabel: Record<string, string>, moment: Moment): Promise<void> {
  const modal = await until(`the "${title}" modal`, () => story.pane.openModals().find((v) => v.title?.text === title));
  const inputs = inputsByLabel(modal, byLabel);
  story.pane.type(modal.id, inputs);
  await story.beat(moment);
  const errors = await story.pane.submit(modal.id, inputs);
  if (Object.keys(errors).length) throw new Error(`carebot refused the "${title}" modal: ${Object.values(errors).join(' ')}`);
}

/** Each customer posts on their network, `gapMs` apart. */
export async function write(story: Story, customers: readonly Customer[], gapMs = story.gap): Promise<void> {
  for (const c of customers) {
    if (c.on === 'x') await story.people.tweet(c.name, c.text);
    else story.people.discord(c.name, c.text, c.on === 'dm' ? 'dm' : 'mention');
    await pause(gapMs);
  }
}
