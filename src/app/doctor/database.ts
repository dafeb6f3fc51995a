import { constants, accessSync, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import pg from 'pg';
import type { Config } from '../../../config/index.js';
import type { ConnectorStore } from '../../connector.js';
import { createConnectorStore } from '../../db/connector-store.js';
import type { Db } from '../../db/open.js';
import * as schema from '../../db/schema.js';
import { migrationsFolder } from '../../shared/paths.js';
import { bounded, CLIENT_TIMEOUT_MS, cause, hostPort, line, type Line } from './report.js';

/**
 * A connector asked to write to a database the doctor does not open (embedded PGlite: one process
 * at a time, and carebot may be running on it; or not created yet). Nothing was spent: an OAuth 2.0
 * refresh token is read and replaced under the store's lock, so the refresh never started.
 */
export class StoreUnavailable extends Error {
  override name = 'StoreUnavailable';
}

/** The database as the doctor sees it: its line, and the connectors' store for the network checks. */
export interface DoctorDatabase {
  check(): Promise<Line>;
  store: ConnectorStore;
  close(): Promise<void>;
}

export function doctorDatabase(config: Config): DoctorDatabase {
  return config.DATABASE_URL ? postgres(config.DATABASE_URL) : pglite(config.DATA_DIR);
}

/**
 * PostgreSQL: connects (bounded), names the server's version, and compares the migrations this
 * carebot ships with those recorded in drizzle's table, applying none.
 */
function postgres(url: string): DoctorDatabase {
  const target = hostPort(url, 5432);
  const pool = new pg.Pool({
    connectionString: url,
    max: 2,
    connectionTimeoutMillis: CLIENT_TIMEOUT_MS,
    query_timeout: CLIENT_TIMEOUT_MS,
  });
  pool.on('error', () => {});
  const db = drizzle(pool, { schema }) as unknown as Db;
  return {
    store: createConnectorStore(db),
    // A connection attempt still under way is not waited for: the doctor has its answer.
    close: () => bounded(pool.end(), 1000).catch(() => {}),
    async check() {
      try {
        const version = await bounded(pool.query<{ v: string }>('select version() as v'));
        const name = /^PostgreSQL \S+/.exec(version.rows[0]?.v ?? '')?.[0] ?? 'PostgreSQL';
        return line(...migrationState(await bounded(lastMigration(pool)), name));
      } catch (err) {
        return line('fail', 'postgres', target, cause(err));
      }
    },
  };

  function migrationState(last: number | undefined, name: string): Parameters<typeof line> {
    const shipped = readMigrationFiles({ migrationsFolder });
    const applied = last === undefined ? 0 : shipped.filter((m) => m.folderMillis <= last).length;
    const pending = shipped.length - applied;
    if (last !== undefined && last > (shipped.at(-1)?.folderMillis ?? 0))
      return [
        'warn',
        'postgres',
        target,
        `${name}; the database has a migration newer than this carebot knows: is an older version running against it?`,
      ];
    if (pending === 0) return ['ok', 'postgres', target, `${name}; all ${shipped.length} migrations applied`];
    return [
      'warn',
      'postgres',
      target,
      `${name}; ${pending} of ${shipped.length} migrations pending (carebot migrate, or start, applies them)`,
    ];
  }
}

/** When the newest migration recorded was written (drizzle's `created_at`), or undefined on a database never migrated. */
async function lastMigration(pool: pg.Pool): Promise<number | undefined> {
  const table = await pool.query<{ t: string | null }>(`select to_regclass('drizzle.__drizzle_migrations')::text as t`);
  if (!table.rows[0]?.t) return undefined;
  const last = await pool.query<{ at: string | null }>('select max(created_at)::text as at from drizzle.__drizzle_migrations');
  return last.rows[0]?.at ? Number(last.rows[0].at) : undefined;
}

/**
 * Embedded PGlite is not opened: only one process may hold its files (carebot may be running on
 * them), opening takes seconds, and a missing DATA_DIR would be created. Its directory is looked
 * at instead; `carebot start` creates and migrates the database.
 */
function pglite(dataDir: string): DoctorDatabase {
  const store: ConnectorStore = {
    cursor: async () => undefined,
    saveCursor: async () => {
      throw unopened(dataDir);
    },
    updateCursor: async () => {
      throw unopened(dataDir);
    },
    highestStoredId: async () => undefined,
  };
  return { store, close: async () => {}, check: async () => pgliteLine(dataDir) };
}

const unopened = (dataDir: string) =>
  new StoreUnavailable(
    `not tried: it needs carebot's database, and the doctor does not open embedded PGlite (DATA_DIR ${dataDir}); run it with DATABASE_URL, or see carebot start's log`,
  );

function pgliteLine(dataDir: string): Line {
  if (dataDir.startsWith('memory://'))
    return line(
      'warn',
      'pglite',
      dataDir,
      'in memory: every mention is lost when carebot stops (set DATA_DIR to a directory, or DATABASE_URL)',
    );
  const path = resolve(dataDir);
  const target = dataDir === path ? path : `${dataDir} (${path})`;
  const writable = (dir: string) => {
    try {
      accessSync(dir, constants.R_OK | constants.W_OK | constants.X_OK);
      return undefined;
    } catch (err) {
      return cause(err);
    }
  };
  if (existsSync(path)) {
    if (!statSync(path).isDirectory()) return line('fail', 'pglite', target, 'exists but is not a directory');
    const denied = writable(path);
    if (denied) return line('fail', 'pglite', target, `not writable by this user: ${denied}`);
    if (existsSync(join(path, 'PG_VERSION'))) {
      const version = readFileSync(join(path, 'PG_VERSION'), 'utf8').trim();
      return line('ok', 'pglite', target, `embedded database (PostgreSQL ${version} files); carebot start applies pending migrations`);
    }
    if (readdirSync(path).length)
      return line('warn', 'pglite', target, 'holds files but no database: point DATA_DIR at an empty or missing directory');
    return line('ok', 'pglite', target, 'empty: the database will be created here on first start');
  }
  let parent = dirname(path);
  while (!existsSync(parent) && dirname(parent) !== parent) parent = dirname(parent);
  const denied = statSync(parent).isDirectory() ? writable(parent) : `${parent} is not a directory`;
  if (denied) return line('fail', 'pglite', target, `cannot be created: ${parent}: ${denied}`);
  return line('ok', 'pglite', target, 'not there yet: will be created on first start');
}
