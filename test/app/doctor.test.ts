import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../config/index.js';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/discord.js';
import { startFakeSlack, type FakeSlack } from '../../fakes/slack.js';
import { startFakeTwitter, type FakeTwitter } from '../../fakes/twitter.js';
import { httpEdge, runDoctor } from '../../src/app/doctor.js';
import { openDatabase } from '../../src/db/open.js';
import { createTestDb, type TestDb } from '../support/db.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redisHostPort = (() => {
  const u = new URL(REDIS_URL);
  return `${u.hostname}:${u.port || 6379}`;
})();
const BOT_TOKEN = 'xoxb-1-doctor-test-token-a1b2';
const APP_TOKEN = 'xapp-1-A0CAREBOT1-doctor-c3d4';
const SLACK_OK = { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: 'doctor-signing-secret', SLACK_INBOX_CHANNEL: 'C0INBOX001' };

/** A port nothing listens on: bound, then let go. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A server that takes connections and never says a word: what a firewall that drops packets looks like from inside. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => void sockets.add(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const root = fileURLToPath(new URL('../../', import.meta.url));
const tsx = new URL('node_modules/tsx/dist/loader.mjs', new URL(`file://${root}`)).href;

/** `carebot doctor` as a user runs it: its own process, an empty environment, an empty working directory kept for a look afterwards. */
function doctorProcess(cwd: string, env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; lines: string[]; ms: number }>((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', tsx, join(root, 'src', 'cli.ts'), 'doctor'], {
      cwd,
      env: { PATH: process.env.PATH, HOME: cwd, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, lines: out.trim().split('\n'), ms: Date.now() - started }));
  });
}

describe('carebot doctor', () => {
  let slack: FakeSlack;
  let x: FakeTwitter;
  let discord: FakeDiscord;
  let scratch: string;
  beforeAll(async () => {
    slack = await startFakeSlack({ botUserId: 'U0CAREBOT1', teamId: 'T0ACME0001' });
    slack.addChannel({ id: 'C0INBOX001', name: 'care-inbox' });
    slack.addChannel({ id: 'C0OUTSIDE1', name: 'elsewhere', isMember: false });
    x = await startFakeTwitter({ brandUserId: '1500000000000000001', brandUsername: 'acme' });
    discord = await startFakeDiscord({ botUserId: '1200000000000000001', token: 'discord-doctor-token' });
    scratch = mkdtempSync(join(tmpdir(), 'carebot-doctor-'));
  });
  afterAll(async () => {
    await slack.close();
    await x.close();
    await discord.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  const doctor = async (env: Record<string, string>) => {
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((l: string) => void lines.push(l));
    const started = Date.now();
    try {
      const code = await runDoctor(() =>
        loadConfig({ REDIS_URL, SLACK_API_URL: slack.url, TWITTER_API_URL: x.url, DISCORD_API_URL: discord.apiUrl, ...env }),
      );
      return { code, lines, ms: Date.now() - started };
    } finally {
      spy.mockRestore();
    }
  };

  it('with nothing configured: ✗ for Slack and for no network, exit 1, and no ./data left behind', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'carebot-doctor-cwd-'));
    try {
      const { code, lines, ms } = await doctorProcess(cwd);
      expect(code).toBe(1);
      expect(lines).toContain(
        "✗ slack: SLACK_BOT_TOKEN not set: Slack is carebot's only interface (create the app from config/slack-manifest.yaml, docs/slack.md)",
      );
      expect(lines).toContain(
        '✗ slack inbox: set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP): without one, nothing agents do in Slack reaches carebot',
      );
      expect(lines).toContain('✗ slack channels: set SLACK_INBOX_CHANNEL (or routes in CAREBOT_CONFIG): mentions have no channel to go to');
      expect(lines).toContain('– twitter: off (TWITTER_BEARER_TOKEN not set)');
      expect(lines).toContain('– discord: off (DISCORD_TOKEN not set)');
      expect(lines).toContain('– webhook: off');
      expect(lines).toContain(
        '✗ networks: none on, so nothing to receive: set the credentials of at least one (twitter, discord, webhook; docs/configuration.md)',
      );
      // Optional things that are off are never ✓, and what would hold the data is only looked at.
      expect(lines.filter((l) => l.startsWith('✓ slack') || /^✓ (twitter|discord|webhook)/.test(l))).toEqual([]);
      expect(lines).toContain(`✓ pglite ./data (${join(cwd, 'data')}): not there yet: will be created on first start`);
      expect(lines.find((l) => l.includes(' redis '))).toMatch(/^[✓✗] redis 127\.0\.0\.1:6379: /);
      expect(existsSync(join(cwd, 'data'))).toBe(false);
      // A whole process (tsx compiling the CLI included) on a shared machine: seconds, not 25.
      expect(ms).toBeLessThan(15_000);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('with things wrong: ✗ naming host:port, API and token with the cause, exit 1, in a few seconds', async () => {
    const closed = await closedPort();
    slack.failNext('auth.test', { error: 'invalid_auth' });
    const { code, lines, ms } = await doctor({
      ...SLACK_OK,
      REDIS_URL: `redis://127.0.0.1:${closed}`,
      DATABASE_URL: `postgres://carebot:pw-must-not-show@127.0.0.1:${closed}/carebot`,
      TWITTER_API_URL: `http://127.0.0.1:${closed}`,
      TWITTER_BEARER_TOKEN: 'AAAA',
      TWITTER_USER_ID: '1500000000000000001',
      DISCORD_TOKEN: 'not-the-token',
    });
    expect(code).toBe(1);
    expect(lines).toContain(`✗ redis 127.0.0.1:${closed}: ECONNREFUSED (connection refused)`);
    expect(lines).toContain(`✗ postgres 127.0.0.1:${closed}/carebot: ECONNREFUSED (connection refused)`);
    expect(lines).toContain(`✗ slack ${slack.url} (bot token xoxb-…a1b2): invalid_auth`);
    expect(lines).toContain(`✗ twitter http://127.0.0.1:${closed} (bearer token): X unreachable on the mentions timeline: ECONNREFUSED`);
    expect(lines).toContain(`✗ discord ${discord.apiUrl} (DISCORD_TOKEN): GET /users/@me: 401 Unauthorized`);
    expect(lines.join('\n')).not.toContain('pw-must-not-show');
    expect(ms).toBeLessThan(6000);
  });

  it('bounds every check: servers that never answer cost one timeout, side by side', async () => {
    const silent = await silentServer();
    try {
      const { code, lines, ms } = await doctor({
        ...SLACK_OK,
        REDIS_URL: `redis://127.0.0.1:${silent.port}`,
        DATABASE_URL: `postgres://carebot@127.0.0.1:${silent.port}/carebot`,
        SLACK_API_URL: `http://127.0.0.1:${silent.port}/api/`,
        DISCORD_API_URL: `http://127.0.0.1:${silent.port}/api`,
        DISCORD_TOKEN: 'discord-doctor-token',
      });
      expect(code).toBe(1);
      expect(lines).toContain(`✗ redis 127.0.0.1:${silent.port}: timeout after 3 s`);
      expect(lines).toContain(`✗ postgres 127.0.0.1:${silent.port}/carebot: timeout after 3 s`);
      expect(lines).toContain(`✗ slack http://127.0.0.1:${silent.port}/api/ (bot token xoxb-…a1b2): timeout after 3 s`);
      expect(lines).toContain(`✗ discord http://127.0.0.1:${silent.port}/api (DISCORD_TOKEN): GET /users/@me: timeout after 3 s`);
      expect(ms).toBeLessThan(6000);
    } finally {
      await silent.close();
    }
  });

  it('a refusal says which call and what X or Slack answered; a bot outside its channel is ✗', async () => {
    x.failNext('/2/users/:id/mentions', { status: 503 });
    const down = await doctor({
      ...SLACK_OK,
      SLACK_INBOX_CHANNEL: 'C0OUTSIDE1',
      DATA_DIR: 'memory://',
      TWITTER_BEARER_TOKEN: 'AAAA',
      TWITTER_USER_ID: '1500000000000000001',
    });
    expect(down.code).toBe(1);
    expect(down.lines).toContain(`✗ twitter ${x.url} (bearer token): X 503 on the mentions timeline: Service Unavailable`);
    expect(down.lines).toContain('✗ slack channel C0OUTSIDE1: the bot is not in #elsewhere: /invite it there, or cards cannot be posted');
    expect(down.lines).toContain(
      '! pglite memory://: in memory: every mention is lost when carebot stops (set DATA_DIR to a directory, or DATABASE_URL)',
    );
  });

  it('embedded PGlite: a missing DATA_DIR is fine and stays missing; OAuth 2.0 is not tried without the database', async () => {
    const dataDir = join(scratch, 'not-yet', 'data');
    const before = x.requests.length;
    const { code, lines } = await doctor({
      ...SLACK_OK,
      DATA_DIR: dataDir,
      TWITTER_CLIENT_ID: 'doctor-client',
      TWITTER_OAUTH2_REFRESH_TOKEN: 'doctor-refresh-token',
    });
    expect(lines).toContain(`✓ pglite ${dataDir}: not there yet: will be created on first start`);
    expect(existsSync(join(scratch, 'not-yet'))).toBe(false);
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(`^! twitter ${x.url.replace(/[.]/g, '\\.')} \\(OAuth 2\\.0 refresh token\\): not tried: it needs carebot's database`),
      ),
    );
    // The refresh token was not spent: X rotates it, and nowhere would keep its successor.
    expect(x.requests.slice(before).filter((r) => r.path === '/2/oauth2/token')).toEqual([]);
    expect(code).toBe(0);

    const file = join(scratch, 'a-file');
    writeFileSync(file, '');
    const notDir = await doctor({ ...SLACK_OK, DISCORD_TOKEN: 'discord-doctor-token', DATA_DIR: file });
    expect(notDir.lines).toContain(`✗ pglite ${file}: exists but is not a directory`);
    expect(notDir.code).toBe(1);
  });

  describe.runIf(process.env.TEST_DATABASE_URL)('with PostgreSQL', () => {
    /** A database of its own for one test, migrated or not, dropped afterwards. */
    const withDatabase = async (migrated: boolean, use: (db: TestDb) => Promise<void>) => {
      const db = await createTestDb('postgres');
      try {
        if (migrated) {
          const database = await openDatabase({ url: db.url });
          await database.migrate();
          await database.close();
        }
        await use(db);
      } finally {
        await db.drop();
      }
    };
    const where = (url: string) => {
      const u = new URL(url);
      return `${u.hostname}:${u.port || 5432}${u.pathname}`;
    };

    it('with everything right: ✓ lines naming what was checked, exit 0', () =>
      withDatabase(true, async (db) => {
        const { code, lines } = await doctor({
          ...SLACK_OK,
          SLACK_APP_TOKEN: APP_TOKEN,
          DATABASE_URL: db.url!,
          TWITTER_BEARER_TOKEN: 'AAAA',
          TWITTER_USER_ID: '1500000000000000001',
          TWITTER_API_KEY: 'k',
          TWITTER_API_SECRET: 's',
          TWITTER_ACCESS_TOKEN: 't',
          TWITTER_ACCESS_SECRET: 'ts',
          DISCORD_TOKEN: 'discord-doctor-token',
        });
        expect(lines).toEqual([
          '✓ config env: loaded (no CAREBOT_CONFIG file)',
          '✓ http: listening on 0.0.0.0:3000; /metrics open (set METRICS_TOKEN to require a bearer token); Bull Board off; X webhooks off',
          expect.stringMatching(new RegExp(`^✓ redis ${redisHostPort.replace(/[.]/g, '\\.')}: Redis \\d+\\.`)),
          expect.stringMatching(new RegExp(`^✓ postgres ${where(db.url!)}: PostgreSQL [\\d.]+; all \\d+ migrations applied$`)),
          `✓ slack ${slack.url} (bot token xoxb-…a1b2): bot carebot (U0CAREBOT1) in Carebot Test (T0ACME0001)`,
          `✓ slack inbox ${slack.url} (app token xapp-…c3d4): Socket Mode (app-level token accepted)`,
          '✓ slack channel C0INBOX001: #care-inbox, the bot is a member',
          `✓ twitter ${x.url} (bearer token, OAuth 1.0a user tokens): posting as @acme (1500000000000000001); reading mentions of 1500000000000000001`,
          `✓ discord ${discord.apiUrl} (DISCORD_TOKEN): bot carebot (1200000000000000001)`,
          '– webhook: off',
          '✓ networks: receiving from twitter, discord',
        ]);
        expect(code).toBe(0);
      }));

    it('says how many migrations are pending, and applies none', () =>
      withDatabase(false, async (fresh) => {
        const { code, lines } = await doctor({ ...SLACK_OK, DATABASE_URL: fresh.url!, DISCORD_TOKEN: 'discord-doctor-token' });
        expect(lines).toContainEqual(
          expect.stringMatching(
            new RegExp(
              `^! postgres ${where(fresh.url!)}: PostgreSQL [\\d.]+; (\\d+) of \\1 migrations pending \\(carebot migrate, or start, applies them\\)$`,
            ),
          ),
        );
        expect(code).toBe(0);
        const client = new pg.Client({ connectionString: fresh.url });
        await client.connect();
        try {
          const { rows } = await client.query(`select to_regclass('drizzle.__drizzle_migrations')::text as t`);
          expect(rows[0].t).toBeNull();
        } finally {
          await client.end();
        }
      }));
  });

  it('says what the HTTP edge opens and how each part is guarded, and fails X webhooks without their secret', () => {
    const edge = (env: Record<string, string>) => httpEdge(loadConfig({ DATA_DIR: 'memory://', ...env }));
    expect(edge({})).toBe(
      'listening on 0.0.0.0:3000; /metrics open (set METRICS_TOKEN to require a bearer token); Bull Board off; X webhooks off',
    );
    expect(
      edge({
        HOST: '127.0.0.1',
        METRICS_TOKEN: 'metrics-token-0123456789',
        ADMIN_PASSWORD: 'correct horse',
        TWITTER_WEBHOOKS: 'on',
        TWITTER_API_SECRET: 's',
      }),
    ).toBe(
      'listening on 127.0.0.1:3000; /metrics behind METRICS_TOKEN; Bull Board read-only behind ADMIN_PASSWORD; X webhooks on at /webhooks/twitter (signed with TWITTER_API_SECRET)',
    );
    expect(() => edge({ TWITTER_WEBHOOKS: 'on' })).toThrow('X webhooks are on but TWITTER_API_SECRET is not set: nothing can be checked');
  });

  it('a configuration that does not load is one ✗ line and exit 1', async () => {
    const { code, lines } = await doctor({ SLACK_BOT_TOKEN: 'not-a-bot-token' });
    expect(code).toBe(1);
    expect(lines).toEqual([expect.stringMatching(/^✗ config: SLACK_BOT_TOKEN: expected a bot token starting with xoxb-/)]);
  });
});
