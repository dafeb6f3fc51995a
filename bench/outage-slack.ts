// What the team's Slack saw during the outage, read from the fake Slack's record: messages per
// channel and their densest second, when the alert came, and the counts the cards showed.
import { metadataId } from '../src/slack/api/metadata.js';
import type { FakeSlack, SlackCall, SlackMessage } from '../fakes/slack.js';

export interface ChannelTraffic {
  channel: string;
  name: string;
  /** chat.postMessage calls: what Slack paces at about one per second per channel. */
  posts: number;
  /** The most posts within any 1 s, and within any 60 s. */
  peak1s: number;
  peak60s: number;
  /** chat.update calls (cards edited in place). */
  updates: number;
}

/** The most of `times` (sorted or not) inside any window of `ms`. */
export function densest(times: number[], ms: number): number {
  const t = times.toSorted((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; j < t.length; j++) {
    while (t[j]! - t[i]! >= ms) i++;
    best = Math.max(best, j - i + 1);
  }
  return best;
}

export function channelTraffic(calls: SlackCall[], channels: ReadonlyArray<{ id: string; name: string }>): ChannelTraffic[] {
  return channels.map(({ id, name }) => {
    const posts = calls.filter((c) => c.method === 'chat.postMessage' && c.body.channel === id).map((c) => c.at);
    return {
      channel: id,
      name,
      posts: posts.length,
      peak1s: densest(posts, 1000),
      peak60s: densest(posts, 60_000),
      updates: calls.filter((c) => c.method === 'chat.update' && c.body.channel === id).length,
    };
  });
}

type Meta = Parameters<typeof metadataId>[0];

/** Spike alert cards in the order they were first posted, with when. */
export function alertPosts(calls: SlackCall[]): Array<{ spikeId: number; at: number; channel: string }> {
  return calls.flatMap((c) => {
    const spikeId = c.method === 'chat.postMessage' ? metadataId(c.body.metadata as Meta, 'spike') : undefined;
    return spikeId ? [{ spikeId, at: c.at, channel: String(c.body.channel) }] : [];
  });
}

/** The alert card of a spike as it reads now (after its edits). */
export function alertCard(slack: FakeSlack, spikeId: number): SlackMessage | undefined {
  return slack.messages().find((m) => !m.thread_ts && metadataId(m.metadata as Meta, 'spike') === spikeId);
}

/** What an alert card says: the headline count and how many collapsed into its thread. */
export function shownOnAlert(card: SlackMessage): { headline: number; collapsed: number } {
  const blocks = JSON.stringify(card.blocks ?? []);
  return {
    headline: Number(/(\d+) negative mentions about/.exec(card.text)?.[1] ?? /peak (\d+)/.exec(card.text)?.[1] ?? NaN),
    collapsed: Number(/(\d+) collapsed into the thread/.exec(blocks)?.[1] ?? NaN),
  };
}

/** The linked count an incident card shows. */
export const shownOnIncident = (card: SlackMessage): number =>
  Number(/(\d+) linked mention/.exec(JSON.stringify(card.blocks ?? []))?.[1] ?? NaN);
