import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/index.js';
import { configFiles } from '../support/config-file.js';

const yamlFile = configFiles();
const errorOf = (yaml: string) => {
  try {
    loadConfig({ CAREBOT_CONFIG: yamlFile(yaml) });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('connector settings', () => {
  it('reads the Discord and X settings, with defaults', () => {
    expect(loadConfig({}).file).toMatchObject({ discord: { supportChannels: [], pingOnReply: false }, twitter: { search: false } });
    const c = loadConfig({
      CAREBOT_CONFIG: yamlFile("discord: { supportChannels: ['1100000000000000001'], announcementChannel: '1100000000000000002' }\ntwitter: { search: 'acme -is:retweet' }\n"),
    });
    expect(c.file.discord).toEqual({ supportChannels: ['1100000000000000001'], announcementChannel: '1100000000000000002', pingOnReply: false });
    expect(c.file.twitter.search).toBe('acme -is:retweet');
  });

  it('names the setting that is wrong', () => {
    expect(errorOf("discord: { supportChannels: ['#support'] }\n")).toMatch(/^CAREBOT_CONFIG discord\.supportChannels\.0: expected a Discord id/);
    expect(errorOf('discord: { announcements: 1 }\n')).toMatch(/^CAREBOT_CONFIG discord: .*announcements/);
    expect(errorOf('twitter: { search: true }\n')).toBe('CAREBOT_CONFIG twitter.search: true needs brand.keywords to search for (or give an X search query instead)');
  });

  it('turns X posting on with OAuth 2.0 credentials as well as with OAuth 1.0a', () => {
    expect(loadConfig({ TWITTER_CLIENT_ID: 'c', TWITTER_OAUTH2_REFRESH_TOKEN: 'r' }).networks.twitterWrite).toEqual({ on: true });
    expect(loadConfig({ TWITTER_CLIENT_ID: 'c' }).networks.twitterWrite.on).toBe(false);
  });
});
