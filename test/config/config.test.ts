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
    expect(errorOf({ REDIS_URL: 'http://localhost' })).toBe('REDIS_URL: expected a redis:// or rediss:// URL, got "http://localhost"');
    expect(errorOf({ DATABASE_URL: 'mysql://x' })).toBe('DATABASE_URL: expected a postgres:// URL, got "mysql://x"');
    expect(errorOf({ SLACK_BOT_TOKEN: 'xoxp-user-token' })).toBe('SLACK_BOT_TOKEN: expected a bot token starting with xoxb-');
    expect(errorOf({ SLACK_INBOX_CHANNEL: '#support' })).toMatch(/^SLACK_INBOX_CHANNEL: expected a channel id/);
    expect(errorOf({ LOG_LEVEL: 'loud' })).toMatch(/^LOG_LEVEL: /);
    expect(errorOf({ SLACK_APP_TOKEN: 'xapp-1' })).toMatch(/^SLACK_BOT_TOKEN: required when SLACK_APP_TOKEN/);
  });

  it('shows the value that is wrong, never a secret nor a password in a URL', () => {
    expect(errorOf({ PORT: 'abc' })).toBe('PORT: expected a number, got "abc"');
    expect(errorOf({ PORT: '80.5' })).toBe('PORT: expected a whole number, got "80.5"');
    expect(errorOf({ PORT: '99999' })).toBe('PORT: expected at most 65535, got "99999"');
    expect(errorOf({ LOG_LEVEL: 'loud' })).toMatch(/^LOG_LEVEL: expected one of "fatal"\|.*, got "loud"$/);
    expect(errorOf({ DATABASE_URL: 'mysql://carebot:hunter2@db.example/carebot' })).toBe(
      'DATABASE_URL: expected a postgres:// URL, got "mysql://carebot@db.example/carebot"',
    );
    expect(errorOf({ SLACK_BOT_TOKEN: 'xoxp-1234-secret' })).not.toContain('xoxp-1234');
    expect(errorOf({ ADMIN_PASSWORD: 'short' })).toBe('ADMIN_PASSWORD: expected at least 8 characters');
    expect(errorOf({ CAREBOT_CONFIG: yamlFile('webhooks:\n  zendesk: { secret: tooshort }\n') })).toBe(
      'CAREBOT_CONFIG webhooks.zendesk.secret: expected at least 16 characters',
    );
  });

  it('says what kind of value it got where the file has the wrong kind, and hides secrets in URLs that do not parse', () => {
    expect(errorOf({ CAREBOT_CONFIG: yamlFile('routes: 5\n') })).toMatch(/^CAREBOT_CONFIG routes: expected a list, got 5$/);
    expect(errorOf({ CAREBOT_CONFIG: yamlFile('routes: { a: 1 }\n') })).toMatch(/^CAREBOT_CONFIG routes: expected a list, got a mapping$/);
    expect(errorOf({ CAREBOT_CONFIG: yamlFile('slack: { roles: [] }\n') })).toMatch(
      /^CAREBOT_CONFIG slack\.roles: expected a mapping, got a list$/,
    );
    expect(errorOf({ CAREBOT_CONFIG: yamlFile('brand: { handles: null }\n') })).toMatch(/got an empty value$/);
    const unparsable = errorOf({ DATABASE_URL: 'postgres://carebot:hunter2@[::1' });
    expect(unparsable).toMatch(/^DATABASE_URL: /);
    expect(unparsable).not.toContain('hunter2');
    const inQuery = errorOf({ REDIS_URL: 'http://cache.example/?password=hunter2&db=1' });
    expect(inQuery).toMatch(/^REDIS_URL: /);
    expect(inQuery).not.toContain('hunter2');
    expect(loadConfig({ RETENTION_DAYS: '30' }).RETENTION_DAYS).toBe(30);
    expect(errorOf({ RETENTION_DAYS: '30d' })).toBe('RETENTION_DAYS: expected a whole number of days, 1 or more, got "30d"');
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
    expect(errorOf({ CAREBOT_CONFIG: '/nonexistent/carebot.yaml' })).toBe(
      'CAREBOT_CONFIG: cannot read /nonexistent/carebot.yaml: no such file',
    );
  });

  it('names an unknown key, where it is and the key it likely meant, before the key it left missing', () => {
    expect(errorOf({ CAREBOT_CONFIG: yamlFile('routes:\n  - { chanel: C0BILLING1 }\n') })).toBe(
      'CAREBOT_CONFIG routes.0: unknown key "chanel" (did you mean "channel"?)',
    );
    expect(errorOf({ CAREBOT_CONFIG: yamlFile('routes:\n  - { channel: C0BILLING1, priorty: [P1] }\n') })).toBe(
      'CAREBOT_CONFIG routes.0: unknown key "priorty" (did you mean "priority"?)',
    );
    expect(errorOf({ CAREBOT_CONFIG: yamlFile('spikes: { windowMinutes: 90 }\n') })).toBe(
      'CAREBOT_CONFIG spikes.windowMinutes: expected at most 60, got 90',
    );
    expect(errorOf({ CAREBOT_CONFIG: yamlFile('routes:\n  - { priority: [P1] }\n') })).toBe('CAREBOT_CONFIG routes.0.channel: missing');
    expect(errorOf({ CAREBOT_CONFIG: yamlFile('slack: { sla: { P7: 30 } }\n') })).toBe('CAREBOT_CONFIG slack.sla: unknown key "P7"');
  });

  it('stops `carebot start` with one line naming the variable', async () => {
    const run = await runCarebot(['start'], { env: { PORT: '99999' } });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual(['carebot: PORT: expected at most 65535, got "99999"']);
  });
});
