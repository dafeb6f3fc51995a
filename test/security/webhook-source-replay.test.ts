import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook } from '../../connectors/webhook/signature.js';
import { mentions } from '../../src/db/schema.js';
import { webhookServer } from '../support/webhook-server.js';

const SHARED = 'shared-webhook-secret-0123456789';

/**
 * WEBHOOK_SECRET signs every source not listed in the YAML file. A delivery captured on its way
 * to one of them (a proxy's log, a misrouted retry) must not be accepted as another's.
 */
describe('a delivery signed for one source cannot be replayed to another', () => {
  const w = webhookServer({ WEBHOOK_SECRET: SHARED });

  const deliver = (source: string, headers: Record<string, string>, body: string) =>
    fetch(`${w.base}/webhooks/generic/${source}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('refuses the replay with 401 and stores the mention under its own source only', async () => {
    const body = JSON.stringify({ id: 'R-1', text: 'Where is my order?', author: { id: 'c-1', handle: 'ann' } });
    const ts = Math.floor(Date.now() / 1000);
    // What the typeform bridge sends, signed the way carebot documents (docs/webhook.md).
    const headers = { 'x-carebot-timestamp': String(ts), 'x-carebot-signature': signWebhook(SHARED, ts, 'typeform', body) };
    expect((await deliver('typeform', headers, body)).status).toBe(202);

    const replayed = await deliver('surveys', headers, body);
    expect(replayed.status).toBe(401);
    expect(await replayed.json()).toEqual({ error: 'bad signature' });
    const stored = await w.h.s.db.select().from(mentions);
    expect(stored.map((m) => m.externalId)).toEqual(['typeform/R-1']);
  });

  it('signs `<timestamp>.<source>.<raw body>`, as docs/webhook.md tells a source to', () => {
    const body = '{"id":"1"}';
    const expected = createHmac('sha256', SHARED).update(`1700000000.typeform.${body}`).digest('hex');
    expect(signWebhook(SHARED, 1700000000, 'typeform', body)).toBe(`sha256=${expected}`);
  });
});
