import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { command, shortcutIds } from '../../src/slack/views/action-ids.js';

interface Manifest {
  features: {
    slash_commands: Array<{ command: string }>;
    shortcuts: Array<{ callback_id: string; type: string }>;
    app_home: { home_tab_enabled: boolean };
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: { event_subscriptions: { bot_events: string[] }; interactivity: { is_enabled: boolean }; socket_mode_enabled: boolean };
}

const manifest = parse(readFileSync('config/slack-manifest.yaml', 'utf8')) as Manifest;
const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [readFileSync(join(dir, e.name), 'utf8')] : [],
  );
const code = [...sources('src'), ...sources('workers')].join('\n');

/** The scope each Slack Web API method carebot calls needs (https://api.slack.com/methods). */
const scopeOf: Record<string, string[]> = {
  'auth.test': [],
  'chat.postMessage': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'chat.update': ['chat:write'],
  'conversations.history': ['channels:history', 'groups:history'],
  'conversations.replies': ['channels:history', 'groups:history'],
  'conversations.members': ['channels:read', 'groups:read'],
  'users.info': ['users:read'],
  'usergroups.users.list': ['usergroups:read'],
  'views.open': [],
  'views.update': [],
  'views.publish': [],
};
/** The subscriptions a Bolt `app.event(...)` listener needs. */
const subscriptionsOf: Record<string, string[]> = {
  message: ['message.channels', 'message.groups'],
  app_home_opened: ['app_home_opened'],
};

describe('config/slack-manifest.yaml', () => {
  it('grants the scope of every Web API method the code calls, and no more', () => {
    const called = new Set(
      [...code.matchAll(/\bslack\.((?:auth|chat|conversations|users|usergroups|views|reactions|apps)\.[a-zA-Z]+(?:\.[a-zA-Z]+)?)\(/g)].map(
        (m) => m[1]!,
      ),
    );
    expect(called.size).toBeGreaterThan(5);
    for (const method of called) expect(scopeOf, `add ${method}'s scope to the manifest and to this table`).toHaveProperty([method]);
    const needed = new Set(['commands', ...[...called].flatMap((m) => scopeOf[m]!)]);
    expect(new Set(manifest.oauth_config.scopes.bot)).toEqual(needed);
  });

  it('subscribes to every event a listener waits for, and no more', () => {
    const listened = [...code.matchAll(/app\.event\('([a-z_]+)'/g)].map((m) => m[1]!);
    expect(listened.length).toBeGreaterThan(0);
    const needed = new Set(listened.flatMap((e) => subscriptionsOf[e] ?? [`(unknown: ${e})`]));
    expect(new Set(manifest.settings.event_subscriptions.bot_events)).toEqual(needed);
  });

  it('declares the slash command and shortcuts the app handles, with interactivity, App Home and Socket Mode on', () => {
    expect(manifest.features.slash_commands.map((c) => c.command)).toEqual([command]);
    expect(manifest.features.shortcuts.map((s) => s.callback_id).sort()).toEqual(Object.values(shortcutIds).sort());
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(true);
  });
});
