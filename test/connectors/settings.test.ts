import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/index.js';
import { configFiles } from '../support/config-file.js';

const yamlFile = configFiles();
const loading = (yaml: string) => () => loadConfig({ CAREBOT_CONFIG: yamlFile(yaml) });

describe('connector settings', () => {
  it('reads the Discord and X settings, with defaults', () => {
    expect(loadConfig({}).file).toMatchObject({ discord: { supportChannels: [], pingOnReply: false }, twitter: { search: false } });
    const c = loadConfig({
      CAREBOT_CONFIG: yamlFile(
        "discord: { supportChannels: ['1100000000000000001'], announcementChannel: '1100000000000000002' }\ntwitter: { search: 'acme -is:retweet' }\n",
      ),
    });
    expect(c.file.discord).toEqual({
      supportChannels: ['1100000000000000001'],
      announcementChannel: '1100000000000000002',
      pingOnReply: false,
    });
    expect(c.file.twitter.search).toBe('acme -is:retweet');
  });

  it('names the setting that is wrong', () => {
    expect(loading("discord: { supportChannels: ['#support'] }\n")).toThrow(ConfigError);
    expect(loading("discord: { supportChannels: ['#support'] }\n")).toThrow(
      /^CAREBOT_CONFIG discord\.supportChannels\.0: expected a Discord id/,
    );
    expect(loading('discord: { announcements: 1 }\n')).toThrow(/^CAREBOT_CONFIG discord: .*announcements/);
    expect(loading('twitter: { search: true }\n')).toThrow(
      /^CAREBOT_CONFIG twitter\.search: true needs brand\.keywords to search for \(or give an X search query instead\)$/,
    );
  });

  it('turns X posting on with OAuth 2.0 credentials as well as with OAuth 1.0a', () => {
    expect(loadConfig({ TWITTER_CLIENT_ID: 'c', TWITTER_OAUTH2_REFRESH_TOKEN: 'r' }).networks.twitterWrite).toEqual({ on: true });
    expect(loadConfig({ TWITTER_CLIENT_ID: 'c' }).networks.twitterWrite.on).toBe(false);
  });
});
