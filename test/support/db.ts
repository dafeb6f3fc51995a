import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { inject } from 'vitest';

export type DbKind = 'pglite' | 'postgres';

/** PGlite always; PostgreSQL too when TEST_DATABASE_URL is set (.ci/run sets it). */
export const dbKinds: DbKind[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

export interface TestDb {
  kind: DbKind;
  /** For PostgreSQL: a database made for this test alone. */
  url?: string;
  pglite?: PGlite;
  drop(): Promise<void>;
}

/** A fresh, migrated database: PGlite from the global snapshot, or a new PostgreSQL database. */
export async function createTestDb(kind: DbKind): Promise<TestDb> {
  if (kind === 'pglite') {
    const pglite = await PGlite.create({ loadDataDir: new Blob([readFileSync(inject('pgliteSnapshot'))]) });
    return { kind, pglite, drop: async () => {} };
  }
  const admin = process.env.TEST_DATABASE_URL!;
  const name = `carebot_t_${randomBytes(6).toString('hex')}`;
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`create database ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { kind, url: url.toString(), drop: () => run(`drop database if exists ${name} with (force)`) };
}
