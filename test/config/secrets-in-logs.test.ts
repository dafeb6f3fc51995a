import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.js';
import { createLogger } from '../../src/shared/log.js';
import { memoryLog } from '../support/log.js';

const secrets = {
  SLACK_BOT_TOKEN: 'xoxb-1111-2222-SECRETslack',
  SLACK_SIGNING_SECRET: 'signing-"quoted"\\secret',
  TWITTER_BEARER_TOKEN: 'AAAAbearerSECRET',
  TWITTER_API_SECRET: 'consumerSECRETvalue',
  DISCORD_TOKEN: 'discord.SECRET.token',
  ADMIN_PASSWORD: 'hunter2hunter2',
  DATABASE_URL: 'postgres://carebot:pg%40SECRET@db.internal:5432/carebot',
};

describe('logs', () => {
  it('never contain a token or password, wherever it turns up in a log call', () => {
    const config = loadConfig(secrets);
    const out = memoryLog();
    const log = createLogger(config, out);
    log.info({ headers: { authorization: `Bearer ${secrets.TWITTER_BEARER_TOKEN}` } }, 'request');
    log.error({ err: new Error(`invalid_auth for token ${secrets.SLACK_BOT_TOKEN}`) }, 'slack failed');
    log.warn(`could not connect to ${secrets.DATABASE_URL}`);
    log.info({ nested: { deeper: { value: secrets.DISCORD_TOKEN, list: [secrets.ADMIN_PASSWORD] } } }, 'state');
    log.info({ signing: secrets.SLACK_SIGNING_SECRET, consumer: secrets.TWITTER_API_SECRET }, 'keys');
    const text = out.text();
    expect(out.lines).toHaveLength(5);
    for (const value of [...Object.values(secrets), 'pg@SECRET', 'pg%40SECRET']) {
      if (value.startsWith('postgres://')) continue;
      expect(text).not.toContain(value);
    }
    expect(text).not.toContain('SECRET');
    expect(text).toContain('[REDACTED]');
    expect(text).toContain('db.internal'); // the rest of the message survives
  });
});
