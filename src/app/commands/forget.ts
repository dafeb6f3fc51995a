/**
 * `carebot forget --platform P --author ID [--dry-run]`: erases one customer's data, as a
 * data-protection erasure request asks (docs/data.md says what is erased and what stays). Audited
 * with a hash of the customer's id, never the id.
 */
import type { WebClient } from '@slack/web-api';
import type { Config } from '../../../config/index.js';
import { registry } from '../../../connectors/registry.js';
import { audit } from '../../db/audit.js';
import {
  addErasure,
  authorsWithHandle,
  customerHash,
  eraseMentions,
  mentionsByAuthor,
  noErasure,
  unreadMentions,
  type Erasure,
} from '../../db/erase.js';
import { openDatabase, type Db } from '../../db/open.js';
import { platforms, type Platform } from '../../mention.js';
import { messageLink } from '../../slack/api/permalink.js';
import { createSlackClient } from '../../slack/api/client.js';
import { checkDatabaseExists, UsageError } from './errors.js';

export interface ForgetCommandOptions {
  platform?: string;
  author?: string;
  /** `--dry-run`: counts what would be erased, changes nothing, writes no audit entry. */
  dryRun?: boolean;
  /** The CLI: the database (DATABASE_URL, else DATA_DIR) and Slack (SLACK_BOT_TOKEN) come from the configuration. */
  config?: Config;
  /** Tests: a database already open (and Slack, for the permalinks). */
  db?: Db;
  slack?: WebClient;
  stdout: NodeJS.WritableStream;
}

/** What the audit log records as the actor: whoever runs it on the host (as `carebot audit` does). */
const HOST_ACTOR = 'cli';
const BATCH = 500;

export async function runForgetCommand(opts: ForgetCommandOptions): Promise<number> {
  const { platform, author } = checked(opts);
  if (opts.db) return forget(opts.db, platform, author, opts);
  if (!opts.config) throw new Error('runForgetCommand: a config or an open db is required');
  const where = { url: opts.config.DATABASE_URL, dataDir: opts.config.DATA_DIR };
  checkDatabaseExists(where);
  const database = await openDatabase(where);
  try {
    return await forget(database.db, platform, author, { ...opts, slack: opts.slack ?? createSlackClient(opts.config) });
  } finally {
    await database.close();
  }
}

function checked(opts: ForgetCommandOptions): { platform: Platform; author: string } {
  const { platform, author } = opts;
  // The CLI prefixes `forget: ` to a UsageError and exits 2.
  if (!platform || !author) throw new UsageError('--platform P and --author ID are both required (the id, not the handle)');
  if (!(platforms as readonly string[]).includes(platform)) {
    throw new UsageError(`--platform '${platform}': expected one of ${platforms.join(', ')}`);
  }
  return { platform: platform as Platform, author };
}

async function forget(db: Db, platform: Platform, author: string, opts: ForgetCommandOptions): Promise<number> {
  const dryRun = Boolean(opts.dryRun);
  const out = (line: string) => opts.stdout.write(`${line}\n`);
  const hash = customerHash(platform, author);
  const who = `${platform} customer sha256:${hash.slice(0, 12)}`;

  const ids = await customerMentions(db, platform, author);
  if (!ids.length && author.startsWith('@')) {
    // A handle is what agents see on a card, but handles change hands: erase only by the id.
    const found = await authorsWithHandle(db, platform, author.slice(1));
    const hint = found.length ? `${author} is stored as --author ${found.join(' or --author ')}` : `no stored ${platform} author has it`;
    throw new UsageError(`--author takes the customer's ${platform} id, not a handle; ${hint}`);
  }

  let erased = noErasure();
  for (let at = 0; at < ids.length; at += BATCH) {
    erased = addErasure(erased, await eraseMentions(db, ids.slice(at, at + BATCH), { dryRun }));
  }
  const counts = {
    mentions: erased.mentions,
    replies: erased.replies,
    corrections: erased.corrections,
    conversations: erased.conversations,
    slackMessages: erased.slackMessages.length,
  };

  if (!erased.mentions) out(`${who}: nothing stored, nothing to erase`);
  else
    out(
      `${who}: ${dryRun ? 'would erase' : 'erased'} ${plural(counts.mentions, 'mention')}, the text of ${plural(counts.replies, 'reply', 'replies')}, ` +
        `${plural(counts.corrections, 'correction')}, ${plural(counts.conversations, 'conversation')}${dryRun ? ' (--dry-run: nothing changed)' : ''}`,
    );
  if (erased.slackMessages.length) {
    out(
      `Slack keeps its own copy of ${plural(erased.slackMessages.length, 'message')} carebot posted about them. carebot does not delete in Slack: ` +
        'a workspace admin deletes each one with its thread (agents’ replies included):',
    );
    for (const m of erased.slackMessages) out(`  ${await where(opts.slack, m)}`);
  }
  if (!dryRun) {
    // The record that the request was carried out, found again by recomputing the hash from the id.
    // The Slack messages are listed so that their deletion can be followed up.
    await audit(
      db,
      HOST_ACTOR,
      'forget',
      { type: 'customer', id: `${platform}:${hash}` },
      { platform, ...counts, slack: erased.slackMessages },
    );
  }
  return 0;
}

/**
 * Every stored mention of the customer: those with their author id (ingested or later), and those
 * whose payload names them but that carebot has not read yet (in flight, or stopped before ingest).
 */
async function customerMentions(db: Db, platform: Platform, author: string): Promise<number[]> {
  const ids = await mentionsByAuthor(db, platform, author);
  for (let after = 0; ; ) {
    const page = await unreadMentions(db, platform, after, BATCH);
    for (const row of page) if (authorOf(platform, row.payload) === author) ids.push(row.id);
    if (page.length < BATCH) break;
    after = page.at(-1)!.id;
  }
  return ids;
}

function authorOf(platform: Platform, payload: unknown): string | undefined {
  try {
    return registry[platform].normalize(payload).author.id;
  } catch {
    return undefined; // a payload carebot cannot read is not matched (retention purges it in time)
  }
}

async function where(slack: WebClient | undefined, m: Erasure['slackMessages'][number]): Promise<string> {
  if (slack) {
    try {
      return await messageLink(slack, m.channel, m.ts);
    } catch {
      // Slack unreachable: the channel and ts find the message all the same.
    }
  }
  return `channel ${m.channel} ts ${m.ts}`;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
