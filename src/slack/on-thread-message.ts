import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Services } from '../services.js';
import { threadAt } from './conversation.js';
import { plainText } from './plain-text.js';
import { requestReply } from './request-reply.js';

/** Messages in a card's thread that start like this stay between agents. */
const INTERNAL_NOTE = /^\s*note:/i;

/**
 * An agent writing in a card's thread answers the customer: the message goes to the network
 * the customer wrote from, threaded under their latest message. Slack retries an event it
 * thinks we missed; the message ts makes the second delivery find the first reply.
 */
export function onThreadMessage(app: App, s: Services & { slack: WebClient }): void {
  app.event('message', async ({ event }) => {
    if (event.subtype !== undefined || !('thread_ts' in event) || !event.thread_ts || event.thread_ts === event.ts) return;
    if (!event.user || event.bot_id || INTERNAL_NOTE.test(event.text ?? '')) return;
    if (s.config.file.slack.alertsOnly.includes(event.channel)) return; // agents talk among themselves there
    const thread = await threadAt(s.db, event.channel, event.thread_ts);
    if (!thread) return; // a thread under something that is not a card

    const outcome = await requestReply(s, {
      thread,
      text: plainText(event.text ?? ''),
      user: event.user,
      idempotencyKey: `slack-message:${event.channel}:${event.ts}`,
    });
    if (!outcome.ok) {
      await s.slack.chat.postEphemeral({ channel: event.channel, thread_ts: event.thread_ts, user: event.user, text: outcome.reason });
    }
  });
}
