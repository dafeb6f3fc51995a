// Small helpers shared by the platform fakes: a loopback HTTP server, JSON bodies,
// path templates, fault queues, held answers, an awaitable log and snowflake ids.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

export interface LoopbackServer {
  server: http.Server;
  port: number;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 with an OS-chosen port. A handler that throws answers 500 instead of hanging the client. */
export async function startHttpServer(handler: Handler): Promise<LoopbackServer> {
  const server = http.createServer((req, res) => {
    Promise.resolve(handler(req, res)).catch((err: unknown) => {
      if (!res.headersSent) {
        sendJson(res, 500, { error: 'fake_internal_error', message: String(err) });
      } else {
        res.end();
      }
    });
  });
  // Node closes an idle socket after 5 s, the moment a client's keep-alive pool may pick it for
  // its next request (ECONNRESET). The platforms keep connections open far longer; so does the fake.
  server.keepAliveTimeout = 65_000;
  const port = await listen(server);
  return { server, port, close: () => closeServer(server) };
}

export async function listen(server: http.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** SDK clients keep sockets alive; without dropping them `close()` would wait for their idle timeout. */
export async function closeServer(server: http.Server): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}

export async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string | number> = {}): void {
  if (res.destroyed) return; // the caller went away (a held answer to a killed process)
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Matches `/2/users/:id/mentions` against `/2/users/42/mentions` → `{ id: '42' }`.
 * A `:name` segment matches exactly one non-empty path segment.
 */
export function matchRoute(template: string, path: string): Record<string, string> | null {
  const want = template.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] as string;
    const g = got[i] as string;
    if (w.startsWith(':')) {
      if (!g) return null;
      params[w.slice(1)] = decodeURIComponent(g);
    } else if (w !== g) {
      return null;
    }
  }
  return params;
}

/**
 * How tests name requests for fault injection: a RegExp tested against the path, or a
 * string template with an optional method, e.g. `'/2/tweets'`, `'POST /2/tweets'`,
 * `'/channels/:id/messages'`.
 */
export type PathPattern = string | RegExp;

export function pathMatches(pattern: PathPattern, method: string, path: string): boolean {
  if (pattern instanceof RegExp) return pattern.test(path);
  const space = pattern.indexOf(' ');
  if (space > 0) {
    const wantMethod = pattern.slice(0, space).toUpperCase();
    if (wantMethod !== method.toUpperCase()) return false;
    return matchRoute(pattern.slice(space + 1), path) !== null;
  }
  return matchRoute(pattern, path) !== null;
}

/** Queue of one-shot (or n-shot) faults; the first matching entry wins so tests can stack them. */
export class FaultQueue<K, F> {
  private entries: Array<{ matches: (key: K) => boolean; fault: F; remaining: number }> = [];

  add(matches: (key: K) => boolean, fault: F, times = 1): void {
    if (!Number.isInteger(times) || times < 1) throw new Error(`times must be a positive integer, got ${times}`);
    this.entries.push({ matches, fault, remaining: times });
  }

  take(key: K): F | undefined {
    const entry = this.entries.find((e) => e.matches(key));
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining === 0) this.entries.splice(this.entries.indexOf(entry), 1);
    return entry.fault;
  }

  clear(): void {
    this.entries = [];
  }
}

/**
 * Answers held back until the test releases them: the platform has acted on the request, its
 * caller has not heard yet (the moment a client dies in, to find out what it does next).
 * Each hold takes the next matching request.
 */
export class HeldAnswers<K> {
  private entries: Array<{ matches: (key: K) => boolean; arrive: () => void; released: Promise<void> }> = [];

  add(matches: (key: K) => boolean): { arrived: Promise<void>; release(): void } {
    let arrive!: () => void;
    let release!: () => void;
    const arrived = new Promise<void>((r) => (arrive = r));
    const released = new Promise<void>((r) => (release = r));
    this.entries.push({ matches, arrive, released });
    return { arrived, release };
  }

  /** Resolves when the answer to `key` may go: at once, unless a hold takes it. */
  async wait(key: K): Promise<void> {
    const entry = this.entries.find((e) => e.matches(key));
    if (!entry) return;
    this.entries.splice(this.entries.indexOf(entry), 1);
    entry.arrive();
    await entry.released;
  }
}

/**
 * An append-only record that tests can await. `waitFor` first looks at what already
 * arrived, so a test that starts waiting after the fact does not race the SDK.
 */
export class AwaitableLog<T> {
  readonly items: T[] = [];
  private waiters = new Set<{ predicate: (item: T) => boolean; resolve: (item: T) => void }>();

  push(item: T): void {
    this.items.push(item);
    for (const waiter of [...this.waiters]) {
      if (waiter.predicate(item)) {
        this.waiters.delete(waiter);
        waiter.resolve(item);
      }
    }
  }

  waitFor(predicate: (item: T) => boolean, timeoutMs: number, describe: (items: T[]) => string): Promise<T> {
    const found = this.items.find(predicate);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const waiter = {
        predicate,
        resolve: (item: T) => {
          clearTimeout(timer);
          resolve(item);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`waitFor: nothing matched within ${timeoutMs} ms; received: ${describe(this.items)}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Clears the record; pending waiters keep waiting for new items. */
  clear(): void {
    this.items.length = 0;
  }
}

/**
 * Snowflake ids as Twitter and Discord build them: milliseconds since the platform's
 * epoch shifted left 22 bits, plus a sequence. Ids minted for "now" are strictly
 * increasing; ids minted for an explicit past time sort by that time, like the real ones.
 */
export function snowflakeFactory(epochMs: number): (atMs?: number) => string {
  let last = 0n;
  let sequence = 0n;
  return (atMs?: number) => {
    sequence = (sequence + 1n) & 0xfffn;
    const id = (BigInt(Math.floor(atMs ?? Date.now()) - epochMs) << 22n) | sequence;
    if (atMs !== undefined) return id.toString();
    last = id > last ? id : last + 1n;
    return last.toString();
  };
}

/** Snowflakes must compare as numbers: as strings, '99' sorts after '100'. */
export function compareIds(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
