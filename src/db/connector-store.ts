import { and, eq, sql } from 'drizzle-orm';
import type { ConnectorStore } from '../connector.js';
import type { Db } from './open.js';
import { cursors, mentions } from './schema.js';

type Writer = Pick<Db, 'insert'>;

const save = (db: Writer, name: string, value: string) =>
  db
    .insert(cursors)
    .values({ name, value })
    .onConflictDoUpdate({ target: cursors.name, set: { value, updatedAt: sql`now()` } })
    .then(() => undefined);

/** The connectors' port onto the database: the `cursors` table, and one question about `mentions`. */
export function createConnectorStore(db: Db): ConnectorStore {
  const read = async (q: Pick<Db, 'select'>, name: string) => {
    const [row] = await q.select({ value: cursors.value }).from(cursors).where(eq(cursors.name, name));
    return row?.value;
  };
  return {
    cursor: (name) => read(db, name),
    saveCursor: (name, value) => save(db, name, value),
    updateCursor: (name, update) =>
      db.transaction(async (tx) => {
        // Released with the transaction: a crash cannot leave it held.
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${name}))`);
        return update(await read(tx, name), (value) => save(tx, name, value));
      }),
    async highestStoredId(platform, payloadKey, value) {
      const [row] = await db
        .select({ id: sql<string | null>`max(${mentions.externalId}::numeric)::text` })
        .from(mentions)
        .where(and(eq(mentions.platform, platform), sql`${mentions.payload} ->> (${payloadKey}::text) = ${value}`));
      return row?.id ?? undefined;
    },
  };
}
