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

/** Names that hold a secret: their values never appear in an error (nor in a log, see src/shared/log.ts). */
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|(^|_)KEY$/i;

/**
 * A URL as an error may show it: without its password, nor any secret-looking query parameter.
 * Anything that does not parse as a URL loses whatever sits between `scheme://user:` and `@`.
 */
export function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    const secretParams = [...u.searchParams.keys()].filter((k) => SECRET_NAME.test(k));
    if (!u.password && !secretParams.length) return url;
    u.password = '';
    for (const k of secretParams) u.searchParams.set(k, '…');
    return u.toString();
  } catch {
    return url.replace(/(:\/\/[^/@:\s]*):[^/@\s]*@/g, '$1@');
  }
}

/** A value as one line of an error shows it: quoted, short, URLs without their password. */
function shown(v: unknown): string {
  if (v === null) return 'an empty value';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v !== 'string') return String(v);
  const text = v.includes('://') ? withoutPassword(v) : v;
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 79)}…` : text);
}

const typeNames: Record<string, string> = {
  number: 'a number',
  int: 'a whole number',
  string: 'text',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
};

/** The value at `path` of what was parsed: what the error shows after "got". */
function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** The keys a strict object at `path` of a schema accepts (to suggest one for a typo). */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  /** What zod keeps of a schema in `_zod.def`: the parts that lead to an object's keys. */
  type Def = {
    type: string;
    innerType?: unknown;
    out?: unknown;
    shape?: Record<string, unknown>;
    element?: unknown;
    valueType?: unknown;
    keyType?: unknown;
    entries?: Record<string, string>;
  };
  const defOf = (s: unknown) => (s as { _zod?: { def?: Def } } | undefined)?._zod?.def;
  const unwrap = (d: Def | undefined): Def | undefined => {
    for (let i = 0; d && i < 10; i++) {
      if (d.innerType) d = defOf(d.innerType);
      else if (d.type === 'pipe') d = defOf(d.out);
      else return d;
    }
    return d;
  };
  let def = unwrap(defOf(schema));
  for (const key of path) {
    if (def?.type === 'object') def = unwrap(defOf(def.shape?.[String(key)]));
    else if (def?.type === 'array') def = unwrap(defOf(def.element));
    else if (def?.type === 'record') def = unwrap(defOf(def.valueType));
    else return [];
  }
  if (def?.type === 'object') return Object.keys(def.shape ?? {});
  const keys = def?.type === 'record' ? unwrap(defOf(def.keyType)) : undefined;
  return keys?.type === 'enum' ? Object.values(keys.entries ?? {}) : [];
}

function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/** The accepted key a mistyped one most likely meant, if any is close. */
function meant(key: string, known: string[]): string | undefined {
  const lower = key.toLowerCase();
  const [best] = known.map((k) => ({ k, d: k.toLowerCase() === lower ? 0 : distance(lower, k.toLowerCase()) })).sort((a, b) => a.d - b.d);
  return best && best.d <= Math.floor(key.length / 3) ? best.k : undefined;
}

/** What is wrong, in words: zod's own message, except where it names no value or says "NaN". */
function reasonOf(issue: z.core.$ZodIssue, value: unknown, schema: z.ZodType): { reason: string; showValue: boolean } {
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = keysAt(schema, issue.path);
      const keys = issue.keys.map((k) => {
        const guess = meant(k, known);
        return `"${k}"${guess ? ` (did you mean "${guess}"?)` : ''}`;
      });
      return { reason: `unknown key${keys.length > 1 ? 's' : ''} ${keys.join(', ')}`, showValue: false };
    }
    case 'invalid_type': {
      if (value === undefined) return { reason: 'missing', showValue: false };
      return { reason: `expected ${typeNames[issue.expected] ?? issue.expected}`, showValue: true };
    }
    case 'invalid_key':
      return { reason: `invalid key: ${issue.issues[0]?.message ?? issue.message}`, showValue: false };
    case 'too_big':
    case 'too_small': {
      // zod's own words ("Too big: expected number to be <=65535"); a schema's own message stays.
      if (!/^Too (big|small): /.test(issue.message)) return { reason: issue.message, showValue: true };
      const big = issue.code === 'too_big';
      const limit = Number(big ? issue.maximum : issue.minimum);
      const bound = issue.inclusive === false ? (big ? 'less than' : 'more than') : big ? 'at most' : 'at least';
      const unit = { string: ' characters', array: ' items', set: ' items', file: ' bytes' }[issue.origin as string] ?? '';
      return { reason: `expected ${bound} ${limit}${unit}`, showValue: issue.origin === 'number' || issue.origin === 'int' };
    }
    case 'custom':
      // A refinement's message: the value says no more when it is not text (`true needs …`).
      return { reason: issue.message, showValue: typeof value === 'string' };
    default:
      return { reason: issue.message.replace(/^Invalid (input|option): /, ''), showValue: true };
  }
}

/** The issue to report: an unknown key comes first, as a mistyped key (`chanel:`) is why the key it meant is missing. */
const firstIssue = (error: z.ZodError) => error.issues.find((i) => i.code === 'unrecognized_keys') ?? error.issues[0]!;

/**
 * One issue in one line: `<where>: <what is wrong>, got <value>`. A secret's value is never
 * shown, a URL's password neither.
 */
function describeIssue(issue: z.core.$ZodIssue, schema: z.ZodType, input: unknown, where: string): string {
  const value = valueAt(input, issue.path);
  const { reason, showValue } = reasonOf(issue, value, schema);
  const secret = issue.path.some((k) => typeof k === 'string' && SECRET_NAME.test(k));
  const got = showValue && value !== undefined && !secret ? `, got ${shown(value)}` : '';
  return `${where}: ${reason}${got}`;
}

/** What a file error means, without the path Node repeats in its message. */
function fsReason(err: unknown): string {
  const { code, message } = err as { code?: string; message?: string };
  const reasons: Record<string, string> = {
    ENOENT: 'no such file',
    EACCES: 'permission denied',
    EISDIR: 'is a directory',
    ENOTDIR: 'a part of the path is not a directory',
  };
  return (code && reasons[code]) ?? String(message).split('\n')[0]!;
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
  if (!env.success) {
    const issue = firstIssue(env.error);
    throw new ConfigError(describeIssue(issue, envSchema, source, String(issue.path[0])));
  }

  let file: FileConfig = fileSchema.parse({});
  if (env.data.CAREBOT_CONFIG) {
    const path = resolve(env.data.CAREBOT_CONFIG);
    let text: string;
    let raw: unknown;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new ConfigError(`CAREBOT_CONFIG: cannot read ${path}: ${fsReason(err)}`);
    }
    try {
      raw = parseYaml(text) ?? {};
    } catch (err) {
      throw new ConfigError(`CAREBOT_CONFIG: cannot read ${path}: ${(err as Error).message.split('\n')[0]}`);
    }
    const parsed = fileSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = firstIssue(parsed.error);
      throw new ConfigError(describeIssue(issue, fileSchema, raw, `CAREBOT_CONFIG ${issue.path.join('.') || '(root)'}`));
    }
    file = parsed.data;
  }

  if (env.data.SLACK_APP_TOKEN && !env.data.SLACK_BOT_TOKEN) {
    throw new ConfigError('SLACK_BOT_TOKEN: required when SLACK_APP_TOKEN is set (Socket Mode)');
  }
  return { ...env.data, file, networks: networks(env.data) };
}
