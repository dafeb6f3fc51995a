import type { SQL } from 'drizzle-orm';
import type { Db } from './open.js';

/**
 * A raw statement's rows, for what the query builder cannot say (bulk updates from a recordset,
 * CTEs with row locks). node-postgres and PGlite both answer with `{ rows }`.
 */
export async function query<T>(db: Db, statement: SQL): Promise<T[]> {
  const result = (await db.execute(statement)) as { rows: T[] };
  return result.rows;
}
