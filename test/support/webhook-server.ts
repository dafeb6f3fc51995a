import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { mountTwitterWebhook } from '../../connectors/twitter/webhook.js';
import { mountGenericWebhook } from '../../connectors/webhook/route.js';
import { createHttpApp, listen } from '../../src/http/server.js';
import { receive } from '../../src/pipeline/receive.js';
import { createHarness, type Harness } from './services.js';
import { createConnectorStore } from '../../src/db/connector-store.js';

export interface WebhookServer {
  readonly h: Harness;
  /** `http://127.0.0.1:PORT`: the routes are `/webhooks/twitter` and `/webhooks/generic/<source>`. */
  readonly base: string;
}

/**
 * carebot's HTTP server with both webhook routes feeding the real pipeline, on a fresh PGlite
 * database, for the tests of one `describe` (started before them, stopped after).
 */
export function webhookServer(env: Record<string, string>, configure?: (h: Harness) => void): WebhookServer {
  let h: Harness;
  let server: Server;
  let base: string;
  beforeAll(async () => {
    h = await createHarness('pglite', env);
    configure?.(h);
    const toPipeline = (items: Parameters<typeof receive>[1]) => receive(h.s, items);
    server = await listen(
      createHttpApp(h.s, [
        mountTwitterWebhook(h.config, toPipeline, { store: createConnectorStore(h.s.db), log: h.s.log }),
        mountGenericWebhook(h.config, toPipeline),
      ]),
      0,
    );
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.close();
    await h.close();
  });
  return {
    get h() {
      return h;
    },
    get base() {
      return base;
    },
  };
}
