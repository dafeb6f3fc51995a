// Hands deliveries to carebot the way each network does: a signed POST to the generic webhook, a
// tweet on the fake X's mention timeline (carebot polls it), a message through the fake Discord's
// gateway (carebot's bot is connected to it).
import { postSigned } from '../connectors/webhook/callback.js';
import type { World } from '../sandbox/world.js';
import { SOURCE, SOURCE_SECRET } from './outage-carebot.js';
import type { Delivery } from './outage-traffic.js';
import { percentile, sleep } from './stats.js';

/** Webhook requests open at once at most: beyond it the schedule slips (and the report says so). */
const MAX_IN_FLIGHT = 256;
/** As a webhook source does: a delivery that fails is tried again 5, 10, 20 and 40 s later. */
const ATTEMPTS = 5;
const FIRST_RETRY_MS = 5000;

export interface SendStats {
  sent: number;
  /** Deliveries that needed another attempt, and those still refused after the last (lost). */
  retried: number;
  lost: number;
  /** Why attempts failed. */
  reasons: string[];
  /** When the last delivery was first handed over, ms after the first was due. */
  lastSentMs: number;
  /** Answer times of accepted webhook attempts (ms): carebot answers once the row is stored and queued. */
  webhookP50: number;
  webhookP99: number;
}

export function deliverer(world: World, carebotUrl: string) {
  const webhookUrl = `${carebotUrl}/webhooks/generic/${SOURCE}`;
  const general = world.discord.channelId('general');
  // One id per delivery, so that a retry is the same delivery (carebot stores it once).
  const ids = new WeakMap<Delivery, string>();
  let serial = 0;
  return async (d: Delivery): Promise<void> => {
    const id = ids.get(d) ?? `m${Date.now().toString(36)}-${serial++}`;
    ids.set(d, id);
    switch (d.network) {
      case 'webhook':
        // carebot runs on this machine: a loopback address, allowed as such.
        await postSigned(
          webhookUrl,
          SOURCE_SECRET,
          SOURCE,
          { id, text: d.text, author: { id: d.authorId, handle: d.handle }, createdAt: d.createdAt.toISOString() },
          { allowPrivate: true },
        );
        return;
      case 'x':
        world.x.addMention({ text: d.text, authorId: d.authorId, username: d.handle, createdAt: d.createdAt });
        return;
      case 'discord':
        world.discord.dispatchMessage({ channelId: general, content: d.text, authorId: d.authorId, username: d.handle, mentionsBot: true });
    }
  };
}

/** Sends each delivery at its `at` (epoch ms), without waiting for earlier answers. */
export async function sendOnSchedule(
  deliveries: Array<Delivery & { at: number }>,
  deliver: (d: Delivery) => Promise<void>,
): Promise<SendStats> {
  const t0 = deliveries[0]?.at ?? Date.now();
  const answers: number[] = [];
  const reasons = new Set<string>();
  const all: Promise<void>[] = [];
  let active = 0;
  let retried = 0;
  let lost = 0;
  let lastSent = t0;

  const attempt = async (d: Delivery) => {
    while (active >= MAX_IN_FLIGHT) await sleep(2);
    active++;
    const started = Date.now();
    try {
      await deliver(d);
      if (d.network === 'webhook') answers.push(Date.now() - started);
    } finally {
      active--;
    }
  };
  const withRetries = async (d: Delivery) => {
    for (let k = 1; ; k++) {
      try {
        return await attempt(d);
      } catch (err) {
        reasons.add((err as Error).message);
        if (k === 1) retried++;
        if (k === ATTEMPTS) {
          lost++;
          return;
        }
        await sleep(FIRST_RETRY_MS * 2 ** (k - 1));
      }
    }
  };

  for (const d of deliveries) {
    const wait = d.at - Date.now();
    if (wait > 0) await sleep(wait);
    while (active >= MAX_IN_FLIGHT) await sleep(2);
    lastSent = Date.now();
    all.push(withRetries(d));
  }
  await Promise.all(all);
  return {
    sent: deliveries.length,
    retried,
    lost,
    reasons: [...reasons],
    lastSentMs: lastSent - t0,
    webhookP50: percentile(answers, 50),
    webhookP99: percentile(answers, 99),
  };
}
