import { afterEach, describe, expect, it } from 'vitest';
import { spikes } from '../../src/db/schema.js';
import type { Anomaly } from '../../src/spikes/detector.js';
import { recordAnomalies } from '../../src/spikes/open-spikes.js';
import { dbKinds } from '../support/db.js';
import { createHarness, type Harness } from '../support/services.js';

const anomaly = (term: string, count: number, windowEnd: number, related: string[] = []): Anomaly => ({
  term,
  count,
  windowEnd,
  related,
  expected: 1,
  pValue: 1e-9,
});

describe.each(dbKinds)('recording anomalies as spikes (%s)', (kind) => {
  let h: Harness;
  const start = async () => (h = await createHarness(kind, { SLACK_INBOX_CHANNEL: 'C0INBOX001' }));
  afterEach(() => h?.close());
  const all = () => h.s.db.select().from(spikes).orderBy(spikes.id);

  it('opens one spike for one event however many batches report it at once, and loses none of their counts', async () => {
    await start();
    // Batches of one outage as concurrent workers see it: the same words, counted in growing windows.
    const batches = Array.from({ length: 40 }, (_, i) => [
      anomaly(i % 2 ? 'login' : 'password', 10 + i, 1000 + Math.floor(i / 10), [i % 2 ? 'password' : 'login', 'reset']),
      anomaly('reset', 5 + i, 1000 + Math.floor(i / 10), ['login']),
    ]);
    await Promise.all(batches.map((b) => recordAnomalies(h.s, b)));
    const [spike, ...others] = await all();
    expect(others).toEqual([]);
    expect(spike!.terms).toEqual(expect.arrayContaining(['login', 'password', 'reset']));
    // Its count is the newest window of its own term, whichever batch finished last.
    const own = batches.flat().filter((a) => a.term === spike!.term);
    const newest = own.reduce((a, b) => (b.windowEnd > a.windowEnd || (b.windowEnd === a.windowEnd && b.count > a.count) ? b : a));
    expect(spike).toMatchObject({ count: newest.count, windowEnd: newest.windowEnd, peak: Math.max(...own.map((a) => a.count)) });
  });

  it('opens a spike for each of many unrelated surges reported at once', async () => {
    await start();
    const terms = Array.from({ length: 30 }, (_, i) => `topic${i}`);
    await Promise.all(terms.map((t) => recordAnomalies(h.s, [anomaly(t, 20, 1000)])));
    expect((await all()).map((sp) => sp.term).sort()).toEqual([...terms].sort());
  });

  it("counts a spike's own term even when another open spike shares it", async () => {
    await start();
    await recordAnomalies(h.s, [anomaly('screen', 12, 1000, ['login'])]);
    await h.s.db
      .insert(spikes)
      .values({ term: 'login', terms: ['login'], count: 30, expected: 1, peak: 30, windowEnd: 1000, channel: 'C0INBOX001' });
    await recordAnomalies(h.s, [anomaly('login', 55, 1001, ['screen'])]);
    const [screen, login] = await all();
    expect(login).toMatchObject({ term: 'login', count: 55, peak: 55 });
    expect(screen).toMatchObject({ term: 'screen', count: 12, peak: 12 });
  });

  it('joins a surge to the open spike whose words are in most of its mentions, and opens one for a surge they are not in', async () => {
    await start();
    const at = Date.UTC(2026, 10, 2, 6, 0, 0);
    const said = (text: string, n: number) => Array.from({ length: n }, (_, i) => ({ text, createdAt: new Date(at + i * 1000) }));
    await h.s.spikes.observe([...said('login broken', 40), ...said('login broken, whole team stuck', 30), ...said('got logged out', 30)]);
    const minute = Math.floor(at / 60_000);
    await recordAnomalies(h.s, [anomaly('login', 70, minute)]);
    // As a batch that named only "stuck" or "logged" reports them: no related word to go by.
    await recordAnomalies(h.s, [anomaly('stuck', 30, minute), anomaly('logged', 30, minute)]);
    expect((await all()).map((sp) => sp.terms)).toEqual([['login', 'stuck'], ['logged']]);
    expect((await all()).map((sp) => sp.related)).toEqual([[], []]);
  });

  it('relates a spike to the five terms its newest windows find most often with it, and matches mentions by every word', async () => {
    await start();
    await recordAnomalies(h.s, [anomaly('login', 20, 1000, ['password', 'reset', 'email'])]);
    await recordAnomalies(h.s, [anomaly('password', 22, 1000, ['login', 'forgot'])]);
    await recordAnomalies(h.s, [anomaly('login', 25, 1001, ['reset', 'link', 'code'])]);
    const [spike, ...others] = await all();
    expect(others).toEqual([]);
    expect(spike!.related).toEqual(['reset', 'link', 'code', 'password', 'email']);
    expect(spike!.terms).toEqual(['login', 'password', 'reset', 'email', 'forgot', 'link', 'code']);
  });
});
