import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isPublicAddress } from '../../connectors/webhook/callback.js';
import { createWebhookConnector } from '../../connectors/webhook/connector.js';
import { loadConfig } from '../../config/index.js';
import type { ReplyTarget } from '../../src/connector.js';
import { readBody, sendJson, startHttpServer, type LoopbackServer } from '../../fakes/http.js';

const SECRET = 'ssrf-webhook-secret-0123456789';

/**
 * A source's callbackUrl is typed by whoever edits the YAML file, and a source's answer is
 * written by the source: neither may turn carebot into a client of its own network (Redis'
 * port, a cloud's metadata service at 169.254.169.254, an admin page on 10.x).
 */
describe('reply callbacks reach only public addresses, follow no redirect and read a bounded answer', () => {
  let receiver: LoopbackServer;
  const seen: { path: string; method: string }[] = [];
  let answer: (req: IncomingMessage, res: Parameters<Parameters<typeof startHttpServer>[0]>[1]) => void;
  beforeAll(async () => {
    receiver = await startHttpServer(async (req, res) => {
      seen.push({ path: req.url ?? '', method: req.method ?? '' });
      await readBody(req);
      answer(req, res);
    });
  });
  afterAll(() => receiver.close());
  beforeEach(() => {
    seen.length = 0;
    answer = (_req, res) => sendJson(res, 200, { id: 'cb-1' });
  });

  /** A webhook connector whose one source, `bridge`, calls back at `callbackUrl`. */
  const connector = (callbackUrl: string, allowPrivateCallback?: boolean) => {
    const config = loadConfig({ DATA_DIR: 'memory://' });
    config.file.webhooks.bridge = { secret: SECRET, callbackUrl, allowPrivateCallback: allowPrivateCallback ?? false };
    return createWebhookConnector(config);
  };
  const target: ReplyTarget = {
    platform: 'webhook',
    externalId: 'bridge/T-1',
    conversationId: 'bridge/T-1',
    payload: { source: 'bridge', body: { id: 'T-1', text: 'help', author: { id: 'c-1', handle: 'ann' } } },
    author: { id: 'c-1', handle: 'ann', displayName: null, followers: null, profileUrl: null },
    private: false,
  };

  it.each([
    ['a loopback address', (port: number) => `http://127.0.0.1:${port}/carebot`],
    ['a name that resolves to loopback', (port: number) => `http://localhost:${port}/carebot`],
    ['an IPv4-mapped IPv6 loopback', (port: number) => `http://[::ffff:127.0.0.1]:${port}/carebot`],
    ['the IPv6 loopback', (port: number) => `http://[::1]:${port}/carebot`],
    ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/'],
  ])('refuses %s unless the source allows private callbacks, and sends nothing', async (_, url) => {
    const err = await connector(url(receiver.port))
      .reply(target, 'We are on it.')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'rejected', message: expect.stringMatching(/private address.*allowPrivateCallback/) });
    expect(seen).toEqual([]);
  });

  it('sends to a private address when the source is allowed one', async () => {
    const sent = await connector(`http://localhost:${receiver.port}/carebot`, true).reply(target, 'We are on it.');
    expect(sent.externalId).toBe('cb-1');
    expect(seen).toEqual([{ path: '/carebot', method: 'POST' }]);
  });

  // Found by a shuffled run: after an allowed call, Node's keep-alive agent handed the next source
  // the open socket to the same host and port, and the address check never ran.
  it('checks every call afresh: a socket kept open for a source allowed a private address is not reused by another', async () => {
    const url = `http://localhost:${receiver.port}/carebot`;
    await expect(connector(url, true).reply(target, 'allowed')).resolves.toMatchObject({ externalId: 'cb-1' });
    seen.length = 0;
    const err = await connector(url)
      .reply(target, 'not allowed')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'rejected' });
    expect(seen).toEqual([]);
  });

  it('follows no redirect: a 3xx is a refusal, and its Location is never asked', async () => {
    answer = (_req, res) => {
      res.writeHead(307, { location: `http://127.0.0.1:${receiver.port}/internal-admin` }).end();
    };
    const err = await connector(`http://127.0.0.1:${receiver.port}/carebot`, true)
      .reply(target, 'We are on it.')
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'rejected', message: expect.stringMatching(/307/) });
    expect(seen.map((s) => s.path)).toEqual(['/carebot']);
  });

  it('reads at most a few KB of an answer that never ends', async () => {
    let written = 0;
    answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id":"cb-2","padding":"');
      const chunk = 'x'.repeat(64 * 1024);
      // An endless body: a source that is broken, or that wants carebot's memory.
      const more = () => {
        while (!res.destroyed && res.write(chunk)) written += chunk.length;
        if (!res.destroyed) res.once('drain', more);
      };
      more();
    };
    const started = Date.now();
    const sent = await connector(`http://127.0.0.1:${receiver.port}/carebot`, true).reply(target, 'We are on it.', {
      idempotencyKey: 'k-9',
    });
    // The answer was cut before its JSON closed: the reply still counts as sent, under its own id.
    expect(sent.externalId).toBe('k-9');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(written).toBeLessThan(64 * 1024 * 1024);
  });

  it.each([
    ['127.0.0.1', false],
    ['10.1.2.3', false],
    ['172.31.255.255', false],
    ['192.168.1.1', false],
    ['100.64.0.1', false],
    ['169.254.169.254', false],
    ['0.0.0.0', false],
    ['::', false],
    ['::1', false],
    ['::ffff:127.0.0.1', false],
    ['::ffff:7f00:1', false],
    ['::ffff:a00:1', false],
    ['64:ff9b::a9fe:a9fe', false],
    ['fe80::1', false],
    ['fd12:3456::1', false],
    ['ff02::1', false],
    ['93.184.215.14', true],
    ['8.8.8.8', true],
    ['2606:4700:4700::1111', true],
    ['::ffff:8.8.8.8', true],
    ['not an address', false],
  ])('counts %s as public: %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });
});
