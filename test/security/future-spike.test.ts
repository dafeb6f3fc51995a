import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpikeDetector, defaultSpikeSettings } from '../../src/spikes/detector.js';
import { loginOutage, quietStream, seeded, type Timed } from '../support/streams.js';

const MINUTE = 60_000;
const START = Date.UTC(2026, 10, 2, 6, 0, 0);

describe('a mention dated in the future', () => {
  let redis: Redis;
  const prefixes: string[] = [];
  /** A detector on its own prefix whose clock is the stream's: the test says what time it is. */
  const detector = () => {
    const prefix = `t${randomBytes(5).toString('hex')}`;
    prefixes.push(prefix);
    const clock = { now: START };
    const d = createSpikeDetector(redis, prefix, defaultSpikeSettings, undefined, () => clock.now);
    const closed = async () => Number(await redis.hget(`${prefix}:spikes:state`, 'closed'));
    /** Observes each batch at the time of its newest mention. */
    const replay = async (batches: Timed[][]) => {
      let found: Awaited<ReturnType<typeof d.observe>> = [];
      for (const batch of batches) {
        if (batch.length) clock.now = Math.max(...batch.map((m) => m.createdAt.getTime()));
        found = await d.observe(batch);
      }
      return found;
    };
    return { d, clock, closed, replay, prefix };
  };

  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  });
  afterAll(async () => {
    for (const p of prefixes) {
      const keys = await redis.keys(`${p}:*`);
      if (keys.length) await redis.del(...keys);
    }
    redis.disconnect();
  });

  it('is not counted, and neither moves the clock of the detector nor stops it from seeing the next outage', async () => {
    const { d, clock, closed, replay } = detector();
    const next = seeded(21);
    await replay(quietStream(START, 90, 2, next));
    const before = await closed();
    expect(before).toBeGreaterThan(0);

    clock.now = START + 90 * MINUTE;
    const future = [
      { text: 'login broken, password reset does nothing', createdAt: new Date('9999-12-31T23:59:00Z') },
      { text: "can't log in, the password reset link is dead", createdAt: new Date(clock.now + 2 * 24 * 60 * MINUTE) },
    ];
    expect(await d.observe(future)).toEqual([]);
    // The last folded minute is still about now, not year 9999 nor tomorrow.
    expect(await closed()).toBeLessThanOrEqual(Math.floor(clock.now / MINUTE));

    // Detection goes on: the quiet stream keeps folding, and an outage after it is raised.
    await replay(quietStream(START + 90 * MINUTE, 30, 2, next));
    expect(await closed()).toBeGreaterThan(before + 25);
    const outage = loginOutage(START + 120 * MINUTE, 40, 1500);
    const anomalies = await replay([outage]);
    expect(anomalies.map((a) => a.term)).toContain('login');
  });

  it('starts folding again from now when an earlier future-dated mention left its last minute ahead', async () => {
    const { closed, replay, prefix } = detector();
    const next = seeded(22);
    await replay(quietStream(START, 30, 2, next));
    // What an older build left behind after a mention dated year 9999.
    await redis.hset(`${prefix}:spikes:state`, 'closed', Math.floor(Date.parse('9999-12-31T23:59:00Z') / MINUTE));
    await replay(quietStream(START + 30 * MINUTE, 30, 2, next));
    expect(await closed()).toBeLessThanOrEqual(Math.floor((START + 60 * MINUTE) / MINUTE));
    expect(await closed()).toBeGreaterThan(Math.floor((START + 50 * MINUTE) / MINUTE));
  });
});
