import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open.js';

/** Every path beneath `dir` (itself included) with its permission bits. */
function modes(dir: string): Array<{ path: string; mode: number; dir: boolean }> {
  const out = [{ path: dir, mode: statSync(dir).mode & 0o777, dir: true }];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isSymbolicLink()) continue;
    const path = join(entry.parentPath, entry.name);
    out.push({ path, mode: statSync(path).mode & 0o777, dir: entry.isDirectory() });
  }
  return out;
}

const shown = (m: { path: string; mode: number }) => `${m.path} ${m.mode.toString(8)}`;

describe('embedded PGlite files on disk', () => {
  let parent: string;
  let umask: number;
  beforeAll(() => {
    umask = process.umask(0o022); // the usual server umask: new files 0644 at most, yet PGlite's came out 0666
    parent = mkdtempSync(join(tmpdir(), 'carebot-modes-'));
    chmodSync(parent, 0o755);
  });
  afterAll(() => {
    process.umask(umask);
    rmSync(parent, { recursive: true, force: true });
  });
  let n = 0;
  const dataDir = () => join(parent, `data${n++}`);

  const use = async (dir: string) => {
    const database = await openDatabase({ dataDir: dir });
    await database.migrate();
    await database.db.execute(sql`create table customer_words (body text)`);
    await database.db.execute(sql`insert into customer_words values ('my card ending 4242')`);
    // While it runs the directory already keeps everyone else out.
    expect((statSync(dir).mode & 0o777).toString(8)).toBe('700');
    await database.close();
  };

  it('are its owner’s alone: the data directory 0700, every directory in it 0700, every file 0600 or narrower', async () => {
    const dir = dataDir();
    await use(dir);
    const all = modes(dir);
    expect(all.filter((m) => !m.dir).length).toBeGreaterThan(100); // a whole PostgreSQL data directory
    expect(all.filter((m) => m.dir && m.mode !== 0o700).map(shown)).toEqual([]);
    expect(all.filter((m) => !m.dir && (m.mode & 0o077) !== 0).map(shown)).toEqual([]);
  });

  it('narrows a data directory an older version left open to everyone, on start', async () => {
    const dir = dataDir();
    await use(dir);
    for (const m of modes(dir)) chmodSync(m.path, m.dir ? 0o777 : 0o666);
    const database = await openDatabase({ dataDir: dir });
    try {
      const all = modes(dir);
      expect(all.filter((m) => m.dir && m.mode !== 0o700).map(shown)).toEqual([]);
      expect(all.filter((m) => !m.dir && (m.mode & 0o077) !== 0).map(shown)).toEqual([]);
    } finally {
      await database.close();
    }
  });
});
