import { and, asc, eq, ne, sql } from 'drizzle-orm';
import { audit } from '../audit.js';
import { ConnectorError } from '../connector.js';
import { broadcasts } from '../db/schema.js';
import type { Platform } from '../mention.js';
import type { Services } from '../services.js';
import { checkLengths } from './lengths.js';
import type { IncidentUpdate } from './store.js';

export type Broadcast = typeof broadcasts.$inferSelect;

export const broadcastKey = (u: Pick<IncidentUpdate, 'incidentId' | 'id'>, platform: Platform) => `incident:${u.incidentId}:update:${u.id}:${platform}`;

/** The incident's first update on a network: later ones thread under it. */
async function firstOnNetwork(s: Services, incidentId: number, platform: Platform, not: number): Promise<string | undefined> {
  const [first] = await s.db
    .select({ externalId: broadcasts.externalId })
    .from(broadcasts)
    .where(and(eq(broadcasts.incidentId, incidentId), eq(broadcasts.platform, platform), eq(broadcasts.state, 'sent'), ne(broadcasts.id, not)))
    .orderBy(asc(broadcasts.id))
    .limit(1);
  return first?.externalId ?? undefined;
}

/**
 * Sends one update to each broadcast network, at most once per network: the row (with its
 * idempotency key) is stored and claimed pending → sending before the call, so a second press
 * or a retry finds it and reports it instead of posting again. Every attempt is audited.
 */
export async function broadcastUpdate(s: Services, update: IncidentUpdate, user: string): Promise<Broadcast[]> {
  const results: Broadcast[] = [];
  for (const check of checkLengths(s, update.publicText)) {
    const { platform } = check;
    const idempotencyKey = broadcastKey(update, platform);
    await s.db.insert(broadcasts).values({ idempotencyKey, updateId: update.id, incidentId: update.incidentId, platform, requestedBy: user }).onConflictDoNothing();
    const [claimed] = await s.db
      .update(broadcasts)
      .set({ state: 'sending' })
      .where(and(eq(broadcasts.idempotencyKey, idempotencyKey), eq(broadcasts.state, 'pending')))
      .returning();
    if (!claimed) {
      const [earlier] = await s.db.select().from(broadcasts).where(eq(broadcasts.idempotencyKey, idempotencyKey));
      results.push(earlier!);
      continue;
    }
    const settle = async (set: Partial<Broadcast>) => {
      const [row] = await s.db.update(broadcasts).set(set).where(eq(broadcasts.id, claimed.id)).returning();
      await audit(s.db, user, 'broadcast', { type: 'incident', id: update.incidentId }, { updateId: update.id, platform, state: row!.state, externalId: row!.externalId, error: row!.error });
      results.push(row!);
    };
    if (!check.fits) {
      await settle({ state: 'failed', error: `${check.length} characters, the limit is ${check.limit}` });
      continue;
    }
    try {
      const inReplyTo = await firstOnNetwork(s, update.incidentId, platform, claimed.id);
      const sent = await s.connectors[platform]!.broadcast!(update.publicText, { inReplyTo });
      await settle({ state: 'sent', externalId: sent.externalId, url: sent.url, sentAt: sql`now()` as unknown as Date });
    } catch (err) {
      // A network's answer means nothing went out; anything else leaves it unknown (never resent blindly).
      await settle({ state: err instanceof ConnectorError ? 'failed' : 'unknown', error: (err as Error).message });
    }
  }
  return results;
}
