import type { WebClient } from '@slack/web-api';

interface Where {
  channel: string;
  /** Set for a reply inside a thread. */
  threadTs?: string;
  /** When the earlier attempt started: nothing older can be it. */
  since: Date;
}

/**
 * After a crash between posting a card and recording its ts, the retry cannot know whether
 * Slack got the message. It asks Slack: a message carrying this mention's metadata is ours.
 */
export async function findPosted(slack: WebClient, mentionId: number, where: Where): Promise<string | undefined> {
  const oldest = String(Math.floor(where.since.getTime() / 1000) - 5);
  let cursor: string | undefined;
  for (let page = 0; page < 10; page++) {
    const common = { channel: where.channel, oldest, cursor, limit: 200, include_all_metadata: true };
    const res = where.threadTs
      ? await slack.conversations.replies({ ...common, ts: where.threadTs })
      : await slack.conversations.history(common);
    const hit = res.messages?.find(
      (m) =>
        m.metadata?.event_type === 'carebot_mention' &&
        Number((m.metadata.event_payload as Record<string, unknown> | undefined)?.mention_id) === mentionId,
    );
    if (hit?.ts) return hit.ts;
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!cursor) return undefined;
  }
  return undefined;
}
