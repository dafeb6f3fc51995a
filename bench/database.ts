// A PostgreSQL database of the benchmark's own, created on the server and dropped afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function run(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The server's version string, or the reason it cannot be reached. */
export async function postgresVersion(): Promise<{ version: string } | { error: string }> {
  try {
    const r = await run(adminUrl, 'show server_version');
    return { version: String(r.rows[0]?.server_version) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export async function createBenchDatabase(): Promise<BenchDatabase> {
  const name = `bench_${randomBytes(5).toString('hex')}`;
  await run(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    name,
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      await run(adminUrl, `drop database if exists ${name} with (force)`);
    },
  };
}
