import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../config/index.js';
import { httpEdge, runDoctor } from '../../src/app/doctor.js';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/discord.js';
import { startFakeTwitter, type FakeTwitter } from '../../fakes/twitter.js';

describe('carebot doctor checks the network credentials', () => {
  let x: FakeTwitter;
  let discord: FakeDiscord;
  beforeAll(async () => {
    x = await startFakeTwitter({ brandUserId: '1500000000000000001', brandUsername: 'acme' });
    discord = await startFakeDiscord({ botUserId: '1200000000000000001', token: 'discord-doctor-token' });
  });
  afterAll(async () => {
    await x.close();
    await discord.close();
  });

  const doctor = async (env: Record<string, string>) => {
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    try {
      const code = await runDoctor(() =>
        loadConfig({ DATA_DIR: 'memory://', TWITTER_API_URL: x.url, DISCORD_API_URL: discord.apiUrl, ...env }),
      );
      return { code, lines };
    } finally {
      spy.mockRestore();
    }
  };

  it('says who carebot posts as on X and which bot it is on Discord', async () => {
    const { lines } = await doctor({
      TWITTER_BEARER_TOKEN: 'AAAA',
      TWITTER_USER_ID: '1500000000000000001',
      TWITTER_API_KEY: 'k',
      TWITTER_API_SECRET: 's',
      TWITTER_ACCESS_TOKEN: 't',
      TWITTER_ACCESS_SECRET: 'ts',
      DISCORD_TOKEN: 'discord-doctor-token',
    });
    expect(lines).toContain('✓ twitter: posting as @acme (1500000000000000001); reading mentions of 1500000000000000001');
    expect(lines).toContain('✓ discord: bot carebot (1200000000000000001)');
    expect(lines).toContain(
      '✓ http: listening on 0.0.0.0:3000; /metrics open (set METRICS_TOKEN to require a bearer token); Bull Board off; X webhooks off',
    );
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

  it('fails with the reason when a token does not work, and says which networks are off', async () => {
    const bad = await doctor({ DISCORD_TOKEN: 'not-the-token' });
    expect(bad.code).toBe(1);
    expect(bad.lines).toContain('✗ discord: Discord refused GET /users/@me (0): 401: Unauthorized');
    expect(bad.lines).toContain('✓ twitter: off (TWITTER_BEARER_TOKEN not set)');
    x.failNext('/2/users/:id/mentions', { status: 503 });
    const down = await doctor({ TWITTER_BEARER_TOKEN: 'AAAA', TWITTER_USER_ID: '1500000000000000001' });
    expect(down.lines).toContain('✗ twitter: X 503 on the mentions timeline: Service Unavailable');
  });
});
