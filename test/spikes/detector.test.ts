import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpikeDetector } from '../../src/spikes/detector.js';
import { poissonUpperTail } from '../../src/spikes/poisson.js';
import { termsOf } from '../../src/spikes/terms.js';
import { loginOutage, quietStream, seeded } from '../support/streams.js';

const MINUTE = 60_000;
const START = Date.UTC(2026, 10, 2, 6, 0, 0);

describe('spike detection', () => {
  let redis: Redis;
  const prefixes: string[] = [];
  const detector = () => {
    const prefix = `t${randomBytes(5).toString('hex')}`;
    prefixes.push(prefix);
    return createSpikeDetector(redis, prefix);
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

  it('names what a complaint is about, without handles, links, stopwords or filler', () => {
    expect(termsOf("@acme Can't log in to the app again!!! https://t.co/x1 #fail")).toEqual(['login', 'app']);
    expect(termsOf('Payments failing at checkout, my payment was declined twice')).toEqual(['payment', 'checkout', 'declined', 'twice']);
    expect(termsOf('No puedo iniciar sesión en la aplicación')).toEqual(['puedo', 'iniciar', 'sesión', 'aplicación']);
    expect(termsOf('the status of my access')).toEqual(['status', 'access']);
  });

  it('counts getting into an account as one term, however it is said', () => {
    for (const text of [
      "can't sign in",
      'got logged out again',
      'Logout button does nothing',
      'cannot log-on',
      'keeps signing me out',
      'login broken',
    ]) {
      expect(termsOf(text), text).toEqual(expect.arrayContaining(['login']));
    }
    expect(termsOf('signed up yesterday, no email')).toEqual(['signup', 'email']);
    expect(termsOf('I logged a ticket about the blog')).toEqual(['logged', 'ticket', 'blog']);
  });

  it('counts no everyday filler, whether written as in the list or folded to it', () => {
    expect(termsOf("Seriously? 20 minutes now and I'm back at the login screen")).toEqual(['login', 'screen']);
    expect(termsOf('literally an hour, basically nothing works, okay')).toEqual([]);
  });

  it('computes the Poisson upper tail', () => {
    expect(poissonUpperTail(1, 1)).toBeCloseTo(1 - Math.exp(-1), 10);
    expect(poissonUpperTail(0, 3)).toBe(1);
    expect(poissonUpperTail(10, 1)).toBeCloseTo(1.114e-7, 9);
    expect(poissonUpperTail(48, 3)).toBeLessThan(1e-30);
    expect(poissonUpperTail(12, 10)).toBeGreaterThan(0.2);
  });

  it('raises nothing for hours of an everyday stream about the same things', async () => {
    const d = detector();
    const next = seeded(7);
    for (const batch of quietStream(START, 180, 2, next)) expect(await d.observe(batch)).toEqual([]);
  });

  it('raises a spike within a minute when the login complaints jump, with the words that go with it', async () => {
    const d = detector();
    const next = seeded(11);
    for (const batch of quietStream(START, 120, 2, next)) await d.observe(batch);
    const spike = loginOutage(START + 120 * MINUTE, 40, 1500);
    const anomalies = await d.observe(spike);
    const login = anomalies.find((a) => a.term === 'login');
    expect(login).toBeDefined();
    expect(login!.count).toBeGreaterThanOrEqual(40);
    expect(login!.expected).toBeLessThan(login!.count / 3);
    expect(login!.related).toEqual(expect.arrayContaining(['password', 'reset']));
    // Everyday topics in the same minutes are not part of it.
    expect(anomalies.map((a) => a.term)).not.toContain('order');
  });

  it('relates only the few words found most often with a surging term', async () => {
    const d = detector();
    const surge = Array.from({ length: 60 }, (_, i) => ({
      text: i % 2 ? 'checkout alpha bravo charlie delta echo' : 'checkout alpha bravo charlie foxtrot golf',
      createdAt: new Date(START + i * 1000),
    }));
    const checkout = (await d.observe(surge)).find((a) => a.term === 'checkout')!;
    expect(checkout.related).toHaveLength(5);
    expect(checkout.related.slice(0, 3).sort()).toEqual(['alpha', 'bravo', 'charlie']);
  });

  it('asks a fresh install for a bigger surge before it has learned what is usual', async () => {
    const d = detector();
    const few = Array.from({ length: 15 }, (_, i) => ({ text: 'checkout is broken', createdAt: new Date(START + i * 10_000) }));
    expect(await d.observe(few)).toEqual([]);
    const many = Array.from({ length: 60 }, (_, i) => ({ text: 'checkout is broken', createdAt: new Date(START + 150_000 + i * 2000) }));
    expect((await d.observe(many)).map((a) => a.term)).toEqual(['checkout']);
  });
});
