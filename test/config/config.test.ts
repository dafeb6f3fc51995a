import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/index.js';
import { runCarebot } from '../support/child.js';

const dir = mkdtempSync(join(tmpdir(), 'carebot-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const yamlFile = (text: string) => {
  const path = join(dir, `${++files}-carebot.yaml`);
  writeFileSync(path, text);
  return path;
};

const errorOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('configuration', () => {
  it('has working defaults with nothing set', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 3000, REDIS_URL: 'redis://127.0.0.1:6379', DATA_DIR: './data', LOG_LEVEL: 'info' });
    expect(c.DATABASE_URL).toBeUndefined();
  });

  it('names the variable and what it expects when a value is wrong', () => {
    expect(errorOf({ PORT: 'eighty' })).toMatch(/^PORT: .*number/);
    expect(errorOf({ REDIS_URL: 'http://localhost' })).toBe('REDIS_URL: expected a redis:// or rediss:// URL');
    expect(errorOf({ DATABASE_URL: 'mysql://x' })).toBe('DATABASE_URL: expected a postgres:// URL');
    expect(errorOf({ SLACK_BOT_TOKEN: 'xoxp-user-token' })).toBe('SLACK_BOT_TOKEN: expected a bot token starting with xoxb-');
    expect(errorOf({ SLACK_INBOX_CHANNEL: '#support' })).toMatch(/^SLACK_INBOX_CHANNEL: expected a channel id/);
    expect(errorOf({ LOG_LEVEL: 'loud' })).toMatch(/^LOG_LEVEL: /);
    expect(errorOf({ SLACK_APP_TOKEN: 'xapp-1' })).toMatch(/^SLACK_BOT_TOKEN: required when SLACK_APP_TOKEN/);
  });

  it('treats empty values (as in a copied .env.example) as unset', () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: '', DATABASE_URL: '' }).SLACK_BOT_TOKEN).toBeUndefined();
  });

  it('switches a network off, saying which variables are missing', () => {
    const c = loadConfig({ TWITTER_BEARER_TOKEN: 'AAAA', TWITTER_API_KEY: 'k' });
    expect(c.networks.twitterRead).toEqual({ on: true });
    expect(c.networks.twitterWrite).toEqual({ on: false, why: 'TWITTER_API_SECRET, TWITTER_ACCESS_TOKEN, TWITTER_ACCESS_SECRET not set' });
    expect(c.networks.discord).toEqual({ on: false, why: 'DISCORD_TOKEN not set' });
  });

  it('reads routing rules, brand handles and keywords from the YAML file', () => {
    const path = yamlFile(`
brand: { name: Acme, handles: ['@acme', '@acmesupport'], keywords: [acme app] }
routes:
  - { channel: C0URGENT01, priority: [P1] }
  - { channel: C0BILLING1, category: [billing] }
vip: ['@bigcustomer']
`);
    const c = loadConfig({ CAREBOT_CONFIG: path });
    expect(c.file.routes).toEqual([
      { channel: 'C0URGENT01', priority: ['P1'] },
      { channel: 'C0BILLING1', category: ['billing'] },
    ]);
    expect(c.file.brand.handles).toEqual(['@acme', '@acmesupport']);
    expect(c.file.vip).toEqual(['@bigcustomer']);
  });

  it('names the place in the YAML file that is wrong', () => {
    expect(errorOf({ CAREBOT_CONFIG: yamlFile('routes:\n  - { channel: "#general" }\n') })).toMatch(
      /^CAREBOT_CONFIG routes\.0\.channel: expected a Slack channel id/,
    );
    expect(errorOf({ CAREBOT_CONFIG: yamlFile('rutes: []\n') })).toMatch(/^CAREBOT_CONFIG \(root\): .*rutes/);
    expect(errorOf({ CAREBOT_CONFIG: yamlFile('routes: [\n') })).toMatch(/^CAREBOT_CONFIG: cannot read .*carebot\.yaml: /);
    expect(errorOf({ CAREBOT_CONFIG: '/nonexistent/carebot.yaml' })).toMatch(/^CAREBOT_CONFIG: cannot read/);
  });

  it('stops `carebot start` with one line naming the variable', async () => {
    const run = await runCarebot(['start'], { env: { PORT: '99999' } });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual(['carebot: PORT: Too big: expected number to be <=65535']);
  });
});
