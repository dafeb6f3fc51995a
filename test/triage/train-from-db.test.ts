import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/open.js';
import { corrections, mentions } from '../../src/db/schema.js';
import { readCorrections } from '../../src/db/corrections.js';
import { createTestDb, dbKinds, type DbKind } from '../support/db.js';
import { carebot, inventedRows, jsonLines } from './cli-support.js';

const dir = mkdtempSync(join(tmpdir(), 'carebot-train-db-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Mentions as ingest stores them, each with an agent's correction (some corrected twice). */
async function seed(database: Database): Promise<void> {
  const rows = inventedRows(12);
  const ids = await database.db
    .insert(mentions)
    .values(
      rows.map((r, i) => ({ platform: 'twitter' as const, externalId: `t-${i}`, payload: {}, text: r.text as string, language: 'en' })),
    )
    .returning({ id: mentions.id });
  // The agents first got the zorblax mentions wrong, then fixed them: the latest word wins.
  await database.db.insert(corrections).values(
    ids.map(({ id }, i) => ({
      mentionId: id,
      sentiment: rows[i]!.sentiment === 'negative' ? 'positive' : 'neutral',
      by: 'U1',
      at: new Date(1_000),
    })),
  );
  await database.db.insert(corrections).values(
    ids.map(({ id }, i) => ({
      mentionId: id,
      sentiment: rows[i]!.sentiment as string,
      category: i % 2 ? 'praise' : 'bug',
      by: 'U2',
      at: new Date(2_000),
    })),
  );
  // A spam verdict: taught as spam, no complaint, no reply owed.
  const [spam] = await database.db
    .insert(mentions)
    .values({ platform: 'twitter', externalId: 't-spam', payload: {}, text: 'zorblax crypto giveaway, dm for promo' })
    .returning({ id: mentions.id });
  await database.db.insert(corrections).values({ mentionId: spam!.id, spam: true, by: 'U1' });
}

/**
 * A migrated, seeded database the `carebot` child process can open too: a PGlite directory
 * (DATA_DIR) or a PostgreSQL database of its own (DATABASE_URL).
 */
async function seededDatabase(kind: DbKind, name: string): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  const test = kind === 'postgres' ? await createTestDb(kind) : undefined;
  const dataDir = join(dir, name);
  const database = await openDatabase(test ? { url: test.url! } : { dataDir });
  try {
    await database.migrate();
    await seed(database);
  } finally {
    await database.close();
  }
  return {
    env: test ? { DATABASE_URL: test.url! } : { DATA_DIR: dataDir, DATABASE_URL: '' },
    drop: async () => test?.drop(),
  };
}

describe.each(dbKinds)('carebot train --from-db on %s', (kind) => {
  it('learns from the agents’ latest corrections, and the model changes the judgement', async () => {
    const { env, drop } = await seededDatabase(kind, `${kind}-seeded`);
    const database = await openDatabase(env.DATABASE_URL ? { url: env.DATABASE_URL } : { dataDir: env.DATA_DIR! });
    try {
      const { rows, corrections: n } = await readCorrections(database.db);
      expect(n).toBe(49);
      expect(rows).toHaveLength(25);
      expect(rows[0]).toEqual({ text: expect.stringContaining('zorblax'), language: 'en', sentiment: 'negative', category: 'bug' });
      expect(rows.at(-1)).toEqual({
        text: 'zorblax crypto giveaway, dm for promo',
        category: 'spam',
        complaint: false,
        needsResponse: false,
      });
    } finally {
      await database.close();
    }

    const model = join(dir, `${kind}-model.json`);
    const trained = await carebot(['train', '--from-db', '--model', model], { env });
    expect(trained.stderr).toBe('');
    expect(trained.stdout).toMatch(/trained on 25 rows \(49 corrections of 25 mentions from the database\), 0 skipped/);
    expect(trained.stdout).toMatch(/sentiment: negative 12, neutral 0, positive 12/);

    const probe = `${JSON.stringify({ id: 'p', text: 'the zorblax thing happened at lunch' })}\n`;
    const [before] = jsonLines((await carebot(['triage'], { stdin: probe })).stdout);
    const [after] = jsonLines((await carebot(['triage', '--model', model], { stdin: probe })).stdout);
    expect(before).toMatchObject({ sentiment: { label: 'neutral' } });
    expect(after).toMatchObject({ sentiment: { label: 'negative' }, category: 'bug' });
    await drop();
  });

  it('merges --input rows with the corrections', async () => {
    const { env, drop } = await seededDatabase(kind, `${kind}-merge`);
    const input = join(dir, `${kind}-input.jsonl`);
    writeFileSync(input, `${JSON.stringify({ text: 'the flumbo broke down', sentiment: 'negative' })}\n`);
    const trained = await carebot(['train', '--from-db', '--input', input, '--model', join(dir, `${kind}-merged.json`)], { env });
    expect(trained.stdout).toMatch(/trained on 26 rows \(1 rows from .*input\.jsonl, 49 corrections of 25 mentions from the database\)/);
    await drop();
  });
});
