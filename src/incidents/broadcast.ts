import { and, asc, eq, ne, sql } from 'drizzle-orm';
import { audit } from '../db/audit.js';
import { ConnectorError } from '../connector.js';
import { broadcasts } from '../db/schema.js';
import type { Db } from '../db/open.js';
import type { Platform } from '../mention.js';
import { broadcastJob } from '../queues/queues.js';
import type { Ctx } from '../context.js';
import { checkLengths } from './lengths.js';
import type { Tx } from './store.js';
import type { Broadcast, IncidentUpdate } from '../db/rows.js';

export const broadcastKey = (u: Pick<IncidentUpdate, 'incidentId' | 'id'>, platform: Platform) =>
  `incident:${u.incidentId}:update:${u.id}:${platform}`;

/** The incident's first update on a network: later ones thread under it. */
async function firstOnNetwork(s: Ctx<'db'>, incidentId: number, platform: Platform, not: number): Promise<string | undefined> {
  const [first] = await s.db
    .select({ externalId: broadcasts.externalId })
    .from(broadcasts)
    .where(
      and(eq(broadcasts.incidentId, incidentId), eq(broadcasts.platform, platform), eq(broadcasts.state, 'sent'), ne(broadcasts.id, not)),
    )
    .orderBy(asc(broadcasts.id))
    .limit(1);
  return first?.externalId ?? undefined;
}

/**
 * One pending row per network the update is to go to, stored with the Broadcast decision (in its
 * transaction): the record of what is still owed, which the reconciler re-queues from.
 */
export async function storeBroadcasts(s: Ctx<'config' | 'connectors'>, db: Db | Tx, update: IncidentUpdate, user: string): Promise<void> {
  const rows = checkLengths(s, update.publicText).map(({ platform }) => ({
    idempotencyKey: broadcastKey(update, platform),
    updateId: update.id,
    incidentId: update.incidentId,
    platform,
    requestedBy: user,
  }));
  if (rows.length) await db.insert(broadcasts).values(rows).onConflictDoNothing();
}

/**
 * Hands a decided update to a worker: only worker processes have the networks' clients logged
 * in (Discord's gateway). The reconciler queues it later if Redis is away now.
 */
export async function queueBroadcast(s: Ctx<'log' | 'queues'>, update: Pick<IncidentUpdate, 'id' | 'at'>): Promise<void> {
  try {
    await s.queues.broadcast.addBulk([broadcastJob(update)]);
  } catch (err) {
    s.log.warn(
      { err: (err as Error).message, updateId: update.id },
      'stored the broadcast decision but could not queue it; the reconciler will',
    );
  }
}

/**
 * Sends one update to each network it is owed to, at most once per network: the rows stored
 * with the decision (storeBroadcasts, with their idempotency keys) are what is owed, even to a
 * network this process lacks, and each is claimed pending → sending before the call, so a retry
 * finds it and reports it instead of posting again. Every attempt is audited.
 */
export async function broadcastUpdate(s: Ctx<'config' | 'db' | 'connectors'>, update: IncidentUpdate, user: string): Promise<Broadcast[]> {
  const results: Broadcast[] = [];
  const checks = checkLengths(s, update.publicText);
  const owed = await s.db
    .select({ id: broadcasts.id, platform: broadcasts.platform })
    .from(broadcasts)
    .where(eq(broadcasts.updateId, update.id))
    .orderBy(asc(broadcasts.id));
  for (const { id, platform } of owed) {
    const check = checks.find((c) => c.platform === platform);
    const [claimed] = await s.db
      .update(broadcasts)
      .set({ state: 'sending' })
      .where(and(eq(broadcasts.id, id), eq(broadcasts.state, 'pending')))
      .returning();
    if (!claimed) {
      const [earlier] = await s.db.select().from(broadcasts).where(eq(broadcasts.id, id));
      results.push(earlier!);
      continue;
    }
    const settle = async (set: Partial<Broadcast>) => {
      const [row] = await s.db.update(broadcasts).set(set).where(eq(broadcasts.id, claimed.id)).returning();
      await audit(
        s.db,
        user,
        'broadcast',
        { type: 'incident', id: update.incidentId },
        { updateId: update.id, platform, state: row!.state, externalId: row!.externalId, error: row!.error },
      );
      results.push(row!);
    };
    if (!check) {
      await settle({ state: 'failed', error: `${platform} is not connected to this carebot worker` });
      continue;
    }
    if (!check.fits) {
      await settle({ state: 'failed', error: `${check.length} characters, the limit is ${check.limit}` });
      continue;
    }
    try {
      const inReplyTo = await firstOnNetwork(s, update.incidentId, check.platform, claimed.id);
      const sent = await s.connectors[check.platform]!.broadcast!(update.publicText, { inReplyTo });
      await settle({ state: 'sent', externalId: sent.externalId, url: sent.url, sentAt: sql`now()` as unknown as Date });
    } catch (err) {
      // A network's answer means nothing went out; anything else leaves it unknown (never resent blindly).
      await settle({ state: err instanceof ConnectorError ? 'failed' : 'unknown', error: (err as Error).message });
    }
  }
  return results;
}
