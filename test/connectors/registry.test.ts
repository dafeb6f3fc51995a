import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.js';
import { networks, platforms } from '../../connectors/networks.js';
import { registry } from '../../connectors/registry.js';
import type { Network } from '../../src/connector.js';
import { mentionSchema, type Platform } from '../../src/mention.js';

describe('the connector registry', () => {
  it('holds one Network for each listed network, and no other', () => {
    expect(Object.keys(registry).sort()).toEqual(Object.keys(networks).sort());
    expect([...platforms].sort()).toEqual(Object.keys(networks).sort());
  });

  it('makes a network missing from the registry a type error (npm run typecheck)', () => {
    const { webhook: _left, ...partial } = registry;
    // @ts-expect-error: a registry must name every network of connectors/networks.ts
    const incomplete: Record<Platform, Network> = partial;
    expect(Object.keys(incomplete)).not.toContain('webhook');
  });

  it('is where the Mention model and the configuration learn the list of networks', () => {
    for (const platform of platforms) expect(mentionSchema.shape.platform.safeParse(platform).success).toBe(true);
    expect(mentionSchema.shape.platform.safeParse('myspace').success).toBe(false);
    expect(() => loadConfig({ CAREBOT_CONFIG: undefined })).not.toThrow();
  });

  it('turns a network on only with its credentials', () => {
    const none = loadConfig({});
    expect(platforms.filter((p) => registry[p].isOn(none))).toEqual([]);
    const some = loadConfig({ DISCORD_TOKEN: 'x', WEBHOOK_SECRET: 's'.repeat(32) });
    expect(platforms.filter((p) => registry[p].isOn(some)).sort()).toEqual(['discord', 'webhook']);
  });
});
