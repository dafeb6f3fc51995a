// The mentions the benchmark replays: the real SpotifyCares support stream from
// ../shared/data/ when it is there (read, never copied into the repo), synthetic text otherwise.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Incoming } from '../src/mention.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const streamPath = resolve(repoRoot, '../shared/data/spotifycares-stream.jsonl');

interface StreamRow {
  authorId: string;
  text: string;
  inReplyTo: string | null;
}

export interface Source {
  /** Where the text comes from, for the report. */
  name: string;
  rows: number;
  /** The next `n` mentions, each with a fresh tweet id (rows are recycled when the file runs out). */
  take(n: number): Incoming[];
}

const digits = (id: string) => id.replace(/^\D+/, '');

function loadStream(path: string): StreamRow[] {
  const rows: StreamRow[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as { authorId?: unknown; text?: unknown; inReplyTo?: unknown };
      if (typeof r.text !== 'string' || !r.text.trim()) continue;
      rows.push({
        authorId: digits(String(r.authorId ?? '')) || '1',
        text: r.text,
        inReplyTo: typeof r.inReplyTo === 'string' && digits(r.inReplyTo) ? digits(r.inReplyTo) : null,
      });
    } catch {
      // a damaged line is skipped; the rest of the stream still counts
    }
  }
  return rows;
}

/** Synthetic support tweets: only used when the real stream is absent. */
function syntheticRows(count: number): StreamRow[] {
  const openers = ['@brand', '@brand hey', '@brand hi,', '@brand why', '@brand pls', '@brand so'];
  const problems = [
    'the app keeps crashing when I open my playlists',
    'I was charged twice this month, can you refund me?',
    'offline mode says not available on my phone',
    'cannot log in since the last update',
    'my family plan invite link does not work',
    'thanks for the quick fix, all good now!',
    'songs skip after 10 seconds on the desktop app',
    'how do I change the email on my account?',
    'podcasts stopped downloading overnight',
    'love the new release radar, great picks this week',
  ];
  const tails = ['', ' :(', ' help', ' thanks', ' this is really annoying', ' any update?', ' 🙏'];
  const rows: StreamRow[] = [];
  for (let i = 0; i < count; i++) {
    rows.push({
      authorId: String(100_000 + ((i * 7919) % 9_000)),
      text: `${openers[i % openers.length]} ${problems[(i * 31) % problems.length]}${tails[(i * 17) % tails.length]}`,
      inReplyTo: i % 3 ? String(5_000_000 + i) : null,
    });
  }
  return rows;
}

function streamRows(): { real: boolean; rows: StreamRow[] } {
  const real = existsSync(streamPath);
  const rows = real ? loadStream(streamPath) : syntheticRows(5_000);
  if (!rows.length) throw new Error(`${streamPath}: no usable rows`);
  return { real, rows };
}

/** The texts alone, for benchmarks of one stage (triage); `name` says where they come from. */
export function supportTexts(): { name: string; texts: string[] } {
  const { real, rows } = streamRows();
  return {
    name: real ? `${streamPath} (real, ${rows.length} rows)` : `synthetic (${streamPath} not found)`,
    texts: rows.map((r) => r.text),
  };
}

export function openSource(): Source {
  const { real, rows } = streamRows();
  // Fresh numeric ids (tweet ids are numeric), unique within and across runs.
  let next = (BigInt(Date.now()) << 22n) * 10n;
  let cursor = 0;
  return {
    name: real ? `${streamPath} (real, ${rows.length} rows)` : `synthetic (${streamPath} not found)`,
    rows: rows.length,
    take(n) {
      const out: Incoming[] = [];
      for (let i = 0; i < n; i++) {
        const row = rows[cursor % rows.length]!;
        const cycle = Math.floor(cursor / rows.length);
        cursor++;
        const id = String(next++);
        const followers = (Number(row.authorId) * 2654435761) % 20_000;
        out.push({
          platform: 'twitter',
          externalId: id,
          payload: {
            tweet: {
              id,
              text: row.text,
              author_id: row.authorId,
              conversation_id: id,
              created_at: new Date().toISOString(),
              ...(row.inReplyTo
                ? { referenced_tweets: [{ type: 'replied_to', id: String(BigInt(row.inReplyTo) + BigInt(cycle) * 10n ** 12n) }] }
                : {}),
            },
            author: {
              id: row.authorId,
              username: `fan_${row.authorId}`,
              name: `Listener ${row.authorId}`,
              public_metrics: { followers_count: followers },
            },
          },
        });
      }
      return out;
    },
  };
}
