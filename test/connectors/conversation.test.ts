import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { mountTwitterWebhook, twitterSignature } from '../../connectors/twitter/webhook.js';
import { mentions } from '../../src/db/schema.js';
import { createHttpApp, listen } from '../../src/http/server.js';
import { receive } from '../../src/pipeline/receive.js';
import { INBOX, agentA, inboxSuite } from '../slack/inbox-harness.js';
import { dbKinds } from '../support/db.js';
import { eventually } from '../support/services.js';
import { createConnectorStore } from '../../src/db/connector-store.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/twitter/${name}`, import.meta.url), 'utf8');

// Issue 17, item 1: a customer who answered the brand's reply got a new card. An Account Activity
// delivery has no conversation_id; the reply names only the brand's tweet, which is carebot's own
// reply, not a stored mention.
describe.each(dbKinds)('one conversation, the brand’s replies included (%s)', (kind) => {
  const t = inboxSuite(kind);
  let server: Server | undefined;
  afterEach(() => server?.close());

  it('threads a customer’s answer to the brand’s reply under the card, delivered by Account Activity', async () => {
    await t.start({ env: { TWITTER_WEBHOOKS: 'on' } });
    const { card } = await t.mention('my order 4711 is stuck');
    await t.inbox.slackEvents.threadMessage({ channel: INBOX, threadTs: card.ts, user: agentA.id, text: 'Sorry! Can you retry now?' });
    const brandReply = await eventually('the brand’s reply on X', () => t.x.posted[0]);

    const h = t.inbox.h;
    server = await listen(
      createHttpApp(h.s, [
        mountTwitterWebhook(h.config, (items) => receive(h.s, items), { store: createConnectorStore(h.s.db), log: h.s.log }),
      ]),
      0,
    );
    const body = fixture('reply-to-brand.account-activity.json').replace('REPLACED_BY_THE_TEST', brandReply.id);
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/twitter`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': twitterSignature('consumer-secret', body) },
      body,
    });
    expect(await res.json()).toEqual({ ok: true, received: 1 });

    const answer = await eventually('the answer in the card’s thread', () =>
      t.slack.messages(INBOX).find((m) => m.thread_ts === card.ts && JSON.stringify(m.blocks ?? []).includes('still nothing')),
    );
    expect(answer.thread_ts).toBe(card.ts);
    expect(t.slack.messages(INBOX).filter((m) => !m.thread_ts)).toHaveLength(1);
    const rows = await h.s.db.select({ conversationId: mentions.conversationId }).from(mentions);
    expect(new Set(rows.map((r) => r.conversationId)).size).toBe(1);
  });
});
