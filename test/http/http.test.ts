import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpApp, listen } from '../../src/http/server.js';
import { receive } from '../../src/pipeline/receive.js';
import { tweet } from '../support/mentions.js';
import { mountGenericWebhook } from '../../connectors/webhook/route.js';
import { openDatabase } from '../../src/db/open.js';
import { mentions } from '../../src/db/schema.js';
import { deliverGeneric } from '../support/generic-delivery.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { createHarness, type Harness } from '../support/services.js';

describe('HTTP surface', () => {
  let h: Harness;
  let server: Server;
  afterEach(async () => {
    server?.close();
    await h?.close();
  });

  const serve = async (env: Record<string, string> = {}) => {
    h = await createHarness('pglite', env);
    server = await listen(createHttpApp(h.s), 0);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };

  it('answers /healthz, and /readyz once Redis and the database answer', async () => {
    const base = await serve();
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: true });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ok: true, redis: 'ok', database: 'ok' });
  });

  it('says /readyz is not ready, and why, when Redis is away', async () => {
    const base = await serve({ REDIS_URL: 'redis://127.0.0.1:1' });
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { redis: string };
    expect(body).toMatchObject({ ok: false, database: 'ok' });
    expect(body.redis).not.toBe('ok');
  });

  it('exports Prometheus metrics: mentions in, duplicates, queue depth', async () => {
    const base = await serve();
    const m = tweet('@brand hello');
    await receive(h.s, [m]);
    await receive(h.s, [m]);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toContain('carebot_mentions_received_total{platform="twitter"} 1');
    expect(text).toContain('carebot_mentions_duplicate_total{platform="twitter"} 1');
    expect(text).toMatch(/carebot_queue_jobs\{queue="ingest",state="waiting"\} 1/);
    expect(text).toContain('carebot_stage_duration_seconds');
  });

  it('keeps Bull Board off without ADMIN_PASSWORD and behind it with one', async () => {
    let base = await serve();
    expect((await fetch(`${base}/admin/queues`)).status).toBe(404);
    server.close();
    await h.close();

    base = await serve({ ADMIN_PASSWORD: 'correct horse battery' });
    expect((await fetch(`${base}/admin/queues`)).status).toBe(401);
    const wrong = Buffer.from('admin:wrong').toString('base64');
    expect((await fetch(`${base}/admin/queues`, { headers: { authorization: `Basic ${wrong}` } })).status).toBe(401);
    const right = Buffer.from('admin:correct horse battery').toString('base64');
    const page = await fetch(`${base}/admin/queues`, { headers: { authorization: `Basic ${right}` } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
  });

  it('answers an unknown route with 404 and JSON', async () => {
    const base = await serve();
    const res = await fetch(`${base}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'not found' });
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('HTTP surface with PostgreSQL away', () => {
  it('answers a webhook 503 with Retry-After at once, says so once in the log, and stores nothing', async () => {
    const h = await createHarness('postgres', { WEBHOOK_SECRET: 'http-outage-secret-0123' });
    const target = new URL(h.db.url!);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const proxied = await openDatabase({ url: proxy.url(h.db.url!) });
    // The same carebot, but its database reached through the proxy the test cuts.
    const s = { ...h.s, db: proxied.db, database: proxied };
    const server = await listen(createHttpApp(s, [mountGenericWebhook(h.config, (items) => receive(s, items))]), 0);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      proxy.cut();
      const answers = await Promise.all(['o1', 'o2', 'o3'].map((id) => deliverGeneric(base, 'http-outage-secret-0123', id)));
      for (const a of answers) expect(a).toMatchObject({ status: 503, retryAfter: '5' });
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ ok: false, redis: 'ok', database: expect.stringMatching(/^postgres: /) });
      expect(h.log.lines.filter((l) => l.includes('"msg":"database unavailable'))).toHaveLength(1);
      expect(h.log.lines.filter((l) => l.includes('http handler failed'))).toEqual([]);
      proxy.restore();
      expect((await deliverGeneric(base, 'http-outage-secret-0123', 'o1')).status).toBe(202);
      expect((await h.s.db.select().from(mentions)).map((m) => m.externalId)).toEqual(['shop/o1']);
    } finally {
      server.close();
      await proxied.close();
      await proxy.close();
      await h.close();
    }
  });
});
