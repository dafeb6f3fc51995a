import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { migrationsFolder, ownerOnly } from '../shared/paths.js';
import * as schema from './schema.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

// Any constant will do: it only has to be the same for every carebot process on one database.
const MIGRATION_LOCK = 0x63617265;

export interface OpenOptions {
  /** PostgreSQL URL; when absent the database is embedded PGlite. */
  url?: string;
  /** Where embedded PGlite keeps its files; `memory://` for none. */
  dataDir?: string;
  /** An already-open PGlite (tests start from a migrated snapshot). */
  pglite?: PGlite;
  poolSize?: number;
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.url) {
    // A database that does not answer fails a request in seconds (a webhook gets 503), not never.
    const pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize ?? 10, connectionTimeoutMillis: 5000 });
    // An idle client losing its connection (database restart) must not crash the process.
    pool.on('error', () => {});
    const db = drizzleNodePg(pool, { schema }) as unknown as Db;
    return {
      db,
      kind: 'postgres',
      async migrate() {
        // Several worker processes may start at once: one migrates, the others wait for it.
        const client = await pool.connect();
        try {
          await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
          await migrateNodePg(drizzleNodePg(client, { schema }), { migrationsFolder });
        } finally {
          await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
          client.release();
        }
      },
      async ping() {
        await db.execute(sql`select 1`);
      },
      close: () => pool.end(),
    };
  }

  const dataDir = opts.dataDir ?? './data';
  // The files hold every customer's messages: the owner's alone. PGlite creates its files
  // world-readable and -writable (0666, whatever the umask), so the directory is what protects
  // them; the files themselves are narrowed too, now and on close, for a copy of the directory.
  const onDisk = !opts.pglite && !dataDir.startsWith('memory://');
  if (onDisk) ownerOnly(dataDir);
  const client = opts.pglite ?? (await PGlite.create(dataDir));
  if (onDisk) ownerOnly(dataDir);
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    migrate: () => migratePglite(drizzlePglite(client, { schema }), { migrationsFolder }),
    async ping() {
      await db.execute(sql`select 1`);
    },
    async close() {
      await client.close();
      if (onDisk) ownerOnly(dataDir);
    },
  };
}
