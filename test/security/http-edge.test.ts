import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mountTwitterWebhook } from '../../connectors/twitter/webhook.js';
import { mountGenericWebhook } from '../../connectors/webhook/route.js';
import { createHttpApp, listen } from '../../src/http/server.js';
import { mountStatusPage } from '../../src/http/status-page.js';
import { receive } from '../../src/pipeline/receive.js';
import { createHarness, type Harness } from '../support/services.js';
import { createConnectorStore } from '../../src/db/connector-store.js';

const PASSWORD = 'correct horse battery';
const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

describe('the HTTP edge', () => {
  let h: Harness;
  let server: Server | undefined;
  beforeAll(async () => {
    h = await createHarness('pglite', { ADMIN_PASSWORD: PASSWORD, METRICS_TOKEN, TWITTER_API_SECRET: 'edge-consumer' });
  });
  afterAll(() => h.close());
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
    server = undefined;
  });

  /** carebot's HTTP app on the harness as it is configured now, with the public routes mounted. */
  const serve = async (host?: string) => {
    const toPipeline = (items: Parameters<typeof receive>[1]) => receive(h.s, items);
    const app = createHttpApp(h.s, [
      mountStatusPage(h.s),
      mountTwitterWebhook(h.config, toPipeline, { store: createConnectorStore(h.s.db), log: h.s.log }),
      mountGenericWebhook(h.config, toPipeline),
    ]);
    server = await listen(app, 0, host);
    const { port } = server.address() as AddressInfo;
    return { base: `http://127.0.0.1:${port}`, port };
  };
  const basic = (password: string) => ({ authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}` });

  it('lets no page be framed and names no framework, on every route', async () => {
    const { base } = await serve();
    for (const [path, init] of [
      ['/healthz', {}],
      ['/status', {}],
      ['/nope', {}],
      ['/admin/queues', { headers: basic(PASSWORD) }],
      ['/webhooks/generic/zendesk', { method: 'POST', body: '{}' }],
    ] as const) {
      const res = await fetch(`${base}${path}`, init);
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('x-powered-by'), path).toBeNull();
      expect(res.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
    }
  });

  it('serves /metrics only with the bearer token when METRICS_TOKEN is set', async () => {
    const { base } = await serve();
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer not-the-token' } })).status).toBe(401);
    const ok = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('carebot_mentions_received_total');
  });

  it('locks out an address after ten wrong admin passwords, the right one included', async () => {
    const { base } = await serve();
    try {
      for (let i = 0; i < 10; i++) expect((await fetch(`${base}/admin/queues`, { headers: basic(`guess-${i}`) })).status).toBe(401);
      const locked = await fetch(`${base}/admin/queues`, { headers: basic(PASSWORD) });
      expect(locked.status).toBe(429);
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(60);
    } finally {
      // The count is kept in Redis: the other tests of this file start with none.
      const counted = await h.s.redis.keys(`${h.config.QUEUE_PREFIX}:admin-guesses*`);
      if (counted.length) await h.s.redis.del(...counted);
    }
  });

  it('counts admin guesses per client behind TRUST_PROXY proxies, and ignores X-Forwarded-For otherwise', async () => {
    const from = (ip: string, password: string) => ({ headers: { ...basic(password), 'x-forwarded-for': ip } });
    const forget = async () => {
      const counted = await h.s.redis.keys(`${h.config.QUEUE_PREFIX}:admin-guesses*`);
      if (counted.length) await h.s.redis.del(...counted);
    };
    try {
      // Not trusted: a guesser who names a new address each time is still one address.
      let { base } = await serve();
      for (let i = 0; i < 10; i++) await fetch(`${base}/admin/queues`, from(`198.51.100.${i}`, `guess-${i}`));
      expect((await fetch(`${base}/admin/queues`, from('198.51.100.99', PASSWORD))).status).toBe(429);
      await forget();

      // One proxy in front: each client is counted on its own, and one locked out does not lock out the others.
      server?.close();
      h.config.TRUST_PROXY = 1;
      ({ base } = await serve());
      for (let i = 0; i < 10; i++) await fetch(`${base}/admin/queues`, from('203.0.113.7', `guess-${i}`));
      expect((await fetch(`${base}/admin/queues`, from('203.0.113.7', PASSWORD))).status).toBe(429);
      expect((await fetch(`${base}/admin/queues`, from('203.0.113.8', PASSWORD))).status).toBe(200);
    } finally {
      h.config.TRUST_PROXY = 0;
      await forget();
    }
  });

  it('keeps Bull Board read-only unless ADMIN_WRITE=on', async () => {
    let { base } = await serve();
    const clean = () => fetch(`${base}/admin/queues/api/queues/ingest/clean/completed`, { method: 'PUT', headers: basic(PASSWORD) });
    expect((await fetch(`${base}/admin/queues/api/queues`, { headers: basic(PASSWORD) })).status).toBe(200);
    expect((await clean()).status).toBe(405);
    server?.close();
    h.config.ADMIN_WRITE = 'on';
    try {
      ({ base } = await serve());
      expect((await clean()).status).toBe(200);
    } finally {
      h.config.ADMIN_WRITE = 'off';
    }
  });

  it('binds the address it is given', async () => {
    await serve('127.0.0.1');
    expect((server!.address() as AddressInfo).address).toBe('127.0.0.1');
  });

  /** Sends the start of a request and waits for the server's answer or for it to hang up, at most `ms`. */
  const partial = (port: number, head: string, ms: number) =>
    new Promise<{ answer: string; closed: boolean }>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let answer = '';
      const timer = setTimeout(() => {
        socket.destroy();
        resolve({ answer, closed: false });
      }, ms);
      socket.on('data', (d) => {
        answer += d.toString();
        // A whole JSON answer: no need to wait for the server to hang up.
        if (/\r\n\r\n\{.*\}$/s.test(answer)) socket.destroy();
      });
      socket.on('close', () => {
        clearTimeout(timer);
        resolve({ answer, closed: true });
      });
      socket.on('error', () => {});
      socket.write(head);
    });

  it('hangs up on a client that trickles its headers, within seconds', async () => {
    const { port } = await serve();
    const started = Date.now();
    const { closed } = await partial(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ', 20_000);
    expect(closed).toBe(true);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it.each([
    ['an unknown generic source', '/webhooks/generic/nosuchsource', /unknown webhook source/],
    ['the X webhook while TWITTER_WEBHOOKS is off', '/webhooks/twitter', /TWITTER_WEBHOOKS/],
  ])('refuses %s before reading the body', async (_, path, reason) => {
    const { port } = await serve();
    // A megabyte announced and never sent: only a route that answers before reading answers at all.
    const head = `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{"id":`;
    const { answer } = await partial(port, head, 5000);
    expect(answer).toMatch(/^HTTP\/1\.1 404/);
    expect(answer).toMatch(reason);
  });
});
