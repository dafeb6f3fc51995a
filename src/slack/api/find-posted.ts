import type { WebClient } from '@slack/web-api';
import { metadataId, type Posted } from './metadata.js';

export interface Where {
  channel: string;
  /** Set for replies inside a thread. */
  threadTs?: string;
  /** When the earliest attempt started: nothing older can be ours. */
  since: Date;
}

/**
 * After a crash between posting and recording the ts, a retry cannot know what Slack got. It asks
 * Slack once per channel or thread: every message there whose metadata names a `kind` (a
 * mention's card, a spike's alert), by id.
 */
export async function findPosted(slack: WebClient, where: Where, kind: Posted = 'mention'): Promise<Map<number, string>> {
  const found = new Map<number, string>();
  const oldest = String(Math.floor(where.since.getTime() / 1000) - 5);
  let cursor: string | undefined;
  for (let page = 0; page < 10; page++) {
    const common = { channel: where.channel, oldest, cursor, limit: 200, include_all_metadata: true };
    const res = where.threadTs
      ? await slack.conversations.replies({ ...common, ts: where.threadTs })
      : await slack.conversations.history(common);
    for (const m of res.messages ?? []) {
      const id = metadataId(m.metadata, kind);
      if (id && m.ts) found.set(id, m.ts);
    }
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!cursor) break;
  }
  return found;
}
