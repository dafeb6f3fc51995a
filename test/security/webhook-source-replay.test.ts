import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountGenericWebhook } from '../../connectors/webhook/route.js';
import { signWebhook } from '../../connectors/webhook/signature.js';
import { mentions } from '../../src/db/schema.js';
import { createHttpApp, listen } from '../../src/http/server.js';
import { receive } from '../../src/pipeline/receive.js';
import { createHarness, type Harness } from '../support/services.js';

const SHARED = 'shared-webhook-secret-0123456789';

/**
 * WEBHOOK_SECRET signs every source not listed in the YAML file. A delivery captured on its way
 * to one of them (a proxy's log, a misrouted retry) must not be accepted as another's.
 */
describe('a delivery signed for one source cannot be replayed to another', () => {
  let h: Harness;
  let server: Server;
  let base: string;
  beforeAll(async () => {
    h = await createHarness('pglite', { WEBHOOK_SECRET: SHARED });
    server = await listen(createHttpApp(h.s, [mountGenericWebhook(h.config, (items) => receive(h.s, items))]), 0);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.close();
    await h.close();
  });

  const deliver = (source: string, headers: Record<string, string>, body: string) =>
    fetch(`${base}/webhooks/generic/${source}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('refuses the replay with 401 and stores the mention under its own source only', async () => {
    const body = JSON.stringify({ id: 'R-1', text: 'Where is my order?', author: { id: 'c-1', handle: 'ann' } });
    const ts = Math.floor(Date.now() / 1000);
    // What the typeform bridge sends, signed the way carebot documents (docs/webhook.md).
    const headers = { 'x-carebot-timestamp': String(ts), 'x-carebot-signature': signWebhook(SHARED, ts, 'typeform', body) };
    expect((await deliver('typeform', headers, body)).status).toBe(202);

    const replayed = await deliver('surveys', headers, body);
    expect(replayed.status).toBe(401);
    expect(await replayed.json()).toEqual({ error: 'bad signature' });
    const stored = await h.s.db.select().from(mentions);
    expect(stored.map((m) => m.externalId)).toEqual(['typeform/R-1']);
  });

  it('signs `<timestamp>.<source>.<raw body>`, as docs/webhook.md tells a source to', () => {
    const body = '{"id":"1"}';
    const expected = createHmac('sha256', SHARED).update(`1700000000.typeform.${body}`).digest('hex');
    expect(signWebhook(SHARED, 1700000000, 'typeform', body)).toBe(`sha256=${expected}`);
  });
});
