/**
 * Loads the triage rules and lexicons from config/triage/ (or a brand's own copy), merges the
 * caller's overrides and validates the lot, so a typo in a YAML file fails at start-up with
 * the file and field named instead of silently scoring wrong.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { packageRoot } from '../shared/paths.js';

export const defaultConfigDir = join(packageRoot, 'config/triage');

/** `buen{o,a}` → `bueno`, `buena`: lets a lexicon spell out inflections in one entry. */
export function expandVariants(entry: string): string[] {
  const m = /\{([^{}]*)\}/.exec(entry);
  if (!m) return [entry];
  const head = entry.slice(0, m.index);
  const tail = entry.slice(m.index + m[0].length);
  return m[1]!.split(',').flatMap((v) => expandVariants(head + v.trim() + tail));
}

const wordList = z.array(z.string().min(1)).transform((list) => [...new Set(list.flatMap(expandVariants))]);
const scores = z
  .record(z.string().min(1), z.number().min(-5).max(5))
  .transform((rec) => Object.fromEntries(Object.entries(rec).flatMap(([k, v]) => expandVariants(k).map((w) => [w, v]))));
const factor = z.number().min(0);

const lexiconSchema = z.strictObject({
  /** Start from AFINN-165 as shipped by the `sentiment` package. */
  afinn: z.boolean().default(false),
  /**
   * The label thresholds for this lexicon's scale, when they differ from sentiment.yaml's
   * (AFINN's many +1 words such as "like" or "hope" are weak evidence of praise).
   */
  negative_below: z.number().optional(),
  positive_from: z.number().optional(),
  /** Languages whose words this one also uses (code-mixed posts). */
  inherit: z.array(z.string()).default([]),
  /** Also match words written without their accents. */
  fold_accents: z.boolean().default(false),
  aliases: z.record(z.string(), z.string()).default({}),
  sentiment: scores.default({}),
  negators: wordList.default([]),
  intensifiers: z.record(z.string(), factor).default({}),
  contrast: wordList.default([]),
  /** Would, could, should, if, wish...: praise after them is wished for, not given. */
  irrealis: wordList.default([]),
  question_words: wordList.default([]),
  /** Thanks and please: polite, not praise, in a message that asks for something. */
  politeness: wordList.default([]),
  function_words: wordList.default([]),
});

const sentimentSchema = z.strictObject({
  negation_window: z.number().int().min(0).max(10),
  negation_factor: z.number().min(-2).max(2),
  negation_factor_negative: z.number().min(-2).max(2),
  negation_alone: z.number().min(-5).max(0),
  irrealis_factor: factor,
  contrast_before: factor,
  contrast_after: factor,
  question_positive_factor: factor,
  question_negative_factor: factor,
  exclamation_boost: factor,
  exasperation: z.number().min(-5).max(0),
  negative_below: z.number(),
  positive_from: z.number(),
  fallback_language: z.string(),
  emoticons: z.record(z.string(), z.string()),
  emoji: scores,
});

const pattern = z.string().refine(
  (p) => {
    try {
      new RegExp(p, 'iu');
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a valid regular expression' },
);

/** The categories whose rule is built in; the taxonomy must list them (their order is theirs). */
export const ruleCategories = ['spam', 'question', 'praise', 'other'] as const;

const taxonomySchema = z
  .strictObject({
    categories: z.array(
      z.strictObject({
        id: z.string().regex(/^[a-z0-9_-]+$/),
        label: z.string(),
        keywords: wordList.default([]),
        patterns: z.array(pattern).default([]),
      }),
    ),
  })
  .superRefine((t, ctx) => {
    const ids = t.categories.map((c) => c.id);
    for (const id of ruleCategories) {
      if (!ids.includes(id)) ctx.addIssue({ code: 'custom', message: `category '${id}' is missing`, path: ['categories'] });
    }
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: 'custom', message: 'duplicate category id', path: ['categories'] });
  });

const flagsSchema = z.strictObject({
  complaint: z.strictObject({
    issue_categories: z.array(z.string()),
    threshold: z.number(),
    points: z.strictObject({ negative: z.number(), issue_category: z.number(), cue: z.number() }),
    cues: wordList,
  }),
  needs_response: z.strictObject({ cues: wordList, chatter: wordList }),
  spam: z.strictObject({
    threshold: z.number(),
    points: z.strictObject({
      cue: z.number(),
      extra_link: z.number(),
      many_hashtags: z.number(),
      many_mentions: z.number(),
      shouting: z.number(),
    }),
    many: z.number().int().min(1),
    cues: wordList,
  }),
});

const prioritySchema = z.strictObject({
  levels: z.strictObject({ P1: z.number(), P2: z.number(), P3: z.number() }),
  points: z.strictObject({
    outage: z.number(),
    issue: z.number(),
    needs_response: z.number(),
    complaint: z.number(),
    negative: z.number(),
    very_negative: z.number(),
    urgent: z.number(),
    vip: z.number(),
    repeat: z.number(),
    repeat_many: z.number(),
  }),
  negative_from: z.number(),
  very_negative_from: z.number(),
  repeat_many_from: z.number().int().min(1),
  followers: z.array(z.strictObject({ min: z.number().int().min(0), points: z.number() })),
  urgent: wordList,
});

const configSchema = z.strictObject({
  sentiment: sentimentSchema,
  care: z.record(z.string(), scores),
  taxonomy: taxonomySchema,
  flags: flagsSchema,
  priority: prioritySchema,
  lexicons: z.record(z.string().regex(/^[a-z]{2,3}$/, 'expected a language code such as "en"'), lexiconSchema),
});

export type TriageConfig = z.output<typeof configSchema>;
export type LexiconConfig = z.output<typeof lexiconSchema>;
export type SentimentConfig = z.output<typeof sentimentSchema>;
export type TaxonomyConfig = z.output<typeof taxonomySchema>;
export type FlagsConfig = z.output<typeof flagsSchema>;
export type PriorityConfig = z.output<typeof prioritySchema>;

type DeepPartial<T> = T extends readonly unknown[] ? T : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;
/** Anything in the files, keyed like them: `{ priority: { levels: { P1: 8 } } }`. Lists replace, maps merge. */
export type TriageOverrides = DeepPartial<z.input<typeof configSchema>>;

export interface ConfigOptions {
  /** A directory laid out like config/triage/; files it lacks come from the defaults. */
  configDir?: string;
  overrides?: TriageOverrides;
  /** Extra keywords per category id, and `urgent` for urgency words. */
  keywords?: Record<string, string[]>;
}

const files = ['sentiment', 'care', 'taxonomy', 'flags', 'priority'] as const;

export function loadConfig(opts: ConfigOptions = {}): TriageConfig {
  const raw = readConfigDir(defaultConfigDir);
  if (opts.configDir) {
    const own = readConfigDir(opts.configDir);
    Object.assign(raw.lexicons as object, own.lexicons);
    for (const f of files) if (own[f] !== undefined) raw[f] = own[f];
  }
  const merged = opts.overrides ? deepMerge(raw, opts.overrides) : raw;
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const where = opts.configDir ?? defaultConfigDir;
    throw new Error(`invalid triage config in ${where}:\n${z.prettifyError(parsed.error)}`);
  }
  return opts.keywords ? withKeywords(parsed.data, opts.keywords) : parsed.data;
}

function readConfigDir(dir: string): Record<string, unknown> {
  const out: Record<string, unknown> = { lexicons: {} };
  for (const f of files) {
    const file = findFile(dir, f);
    if (file) out[f] = readYaml(file);
  }
  const lexDir = join(dir, 'lexicons');
  if (existsSync(lexDir)) {
    for (const name of readdirSync(lexDir)) {
      const m = /^(.+)\.(?:ya?ml|json)$/.exec(name);
      if (m) (out.lexicons as Record<string, unknown>)[m[1]!] = readYaml(join(lexDir, name));
    }
  }
  return out;
}

function findFile(dir: string, name: string): string | undefined {
  return ['yaml', 'yml', 'json'].map((ext) => join(dir, `${name}.${ext}`)).find((f) => existsSync(f));
}

function readYaml(file: string): unknown {
  try {
    return parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read triage config ${file}: ${(err as Error).message}`);
  }
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function withKeywords(config: TriageConfig, keywords: Record<string, string[]>): TriageConfig {
  const ids = new Set(config.taxonomy.categories.map((c) => c.id));
  for (const key of Object.keys(keywords)) {
    if (key !== 'urgent' && !ids.has(key)) throw new Error(`keywords: no category '${key}' in the taxonomy`);
  }
  const extra = (key: string) => (keywords[key] ?? []).flatMap(expandVariants);
  return {
    ...config,
    taxonomy: {
      categories: config.taxonomy.categories.map((c) => ({ ...c, keywords: [...c.keywords, ...extra(c.id)] })),
    },
    priority: { ...config.priority, urgent: [...config.priority.urgent, ...extra('urgent')] },
  };
}
