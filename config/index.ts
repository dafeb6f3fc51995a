import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { envSchema, type Env } from './env.js';
import { fileSchema, type FileConfig } from './file.js';

export type { Env } from './env.js';
export type { FileConfig, Route } from './file.js';

export interface Config extends Env {
  file: FileConfig;
  /** Which networks are on, and for those that are off, why. */
  networks: Record<'slack' | 'twitterRead' | 'twitterWrite' | 'discord', { on: boolean; why?: string }>;
}

/** A configuration mistake; its message is the single line start-up prints. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

function firstIssue(error: z.ZodError, where: (path: PropertyKey[]) => string): string {
  const issue = error.issues[0]!;
  return `${where(issue.path)}: ${issue.message}`;
}

function missing(env: Env, names: (keyof Env)[]): string | undefined {
  const unset = names.filter((n) => env[n] === undefined);
  return unset.length ? `${unset.join(', ')} not set` : undefined;
}

function networks(env: Env): Config['networks'] {
  const state = (why: string | undefined) => (why ? { on: false, why } : { on: true });
  return {
    slack: state(missing(env, ['SLACK_BOT_TOKEN'])),
    twitterRead: state(missing(env, ['TWITTER_BEARER_TOKEN'])),
    // Either OAuth 1.0a user tokens or an OAuth 2.0 client with a refresh token.
    twitterWrite: state(
      missing(env, ['TWITTER_CLIENT_ID', 'TWITTER_OAUTH2_REFRESH_TOKEN']) &&
        missing(env, ['TWITTER_API_KEY', 'TWITTER_API_SECRET', 'TWITTER_ACCESS_TOKEN', 'TWITTER_ACCESS_SECRET']),
    ),
    discord: state(missing(env, ['DISCORD_TOKEN'])),
  };
}

/** Reads and checks the whole configuration; throws a ConfigError naming the first wrong setting. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const env = envSchema.safeParse(source);
  if (!env.success) throw new ConfigError(firstIssue(env.error, (p) => String(p[0])));

  let file: FileConfig = fileSchema.parse({});
  if (env.data.CAREBOT_CONFIG) {
    const path = resolve(env.data.CAREBOT_CONFIG);
    let raw: unknown;
    try {
      raw = parseYaml(readFileSync(path, 'utf8')) ?? {};
    } catch (err) {
      throw new ConfigError(`CAREBOT_CONFIG: cannot read ${path}: ${(err as Error).message.split('\n')[0]}`);
    }
    const parsed = fileSchema.safeParse(raw);
    if (!parsed.success) {
      throw new ConfigError(firstIssue(parsed.error, (p) => `CAREBOT_CONFIG ${p.join('.') || '(root)'}`));
    }
    file = parsed.data;
  }

  if (env.data.SLACK_APP_TOKEN && !env.data.SLACK_BOT_TOKEN) {
    throw new ConfigError('SLACK_BOT_TOKEN: required when SLACK_APP_TOKEN is set (Socket Mode)');
  }
  return { ...env.data, file, networks: networks(env.data) };
}
