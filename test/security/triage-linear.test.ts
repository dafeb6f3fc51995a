import { describe, expect, it } from 'vitest';
import { createTriage } from '../../src/triage/index.js';

const triage = createTriage();

/**
 * The lookups (Set and Map `has`/`get`: lexicons, negators, contrast words, phrase tries) one
 * triage of `text` makes: a count of the work done that a busy machine cannot blur, as a timing would.
 */
function lookups(text: string): number {
  const originals = { setHas: Set.prototype.has, mapHas: Map.prototype.has, mapGet: Map.prototype.get };
  let n = 0;
  Set.prototype.has = function (this: Set<unknown>, v: unknown) {
    n++;
    return originals.setHas.call(this, v);
  };
  Map.prototype.has = function (this: Map<unknown, unknown>, k: unknown) {
    n++;
    return originals.mapHas.call(this, k);
  };
  Map.prototype.get = function (this: Map<unknown, unknown>, k: unknown) {
    n++;
    return originals.mapGet.call(this, k);
  };
  try {
    triage.triage({ text });
  } finally {
    Set.prototype.has = originals.setHas;
    Map.prototype.has = originals.mapHas;
    Map.prototype.get = originals.mapGet;
  }
  return n;
}

describe('triage of a long post', () => {
  // A post is at most 20,000 characters (the Mention model), but what a connector hands in is
  // not yet checked; either way a text ten times longer must cost about ten times as much.
  it.each([
    ['emoji alone', '😡'],
    ['two emoji', '😡😀'],
    ['emoji with a contrast', '😡 but 😀 '],
    ['emoji after a negation', 'not 😡 '],
    ['words and emoji', 'still waiting for my refund 😡 '],
  ])('costs work in proportion to its length: %s', (_, unit) => {
    const small = lookups(unit.repeat(1_000));
    const large = lookups(unit.repeat(10_000));
    expect(small).toBeGreaterThan(1_000);
    // Linear gives about 10; the quadratic sentence scan gave about 100.
    expect(large / small).toBeLessThan(15);
  });

  it('still scores what a few emoji say', () => {
    expect(triage.triage({ text: 'still waiting for my refund 😡😡' }).sentiment.label).toBe('negative');
    expect(triage.triage({ text: 'thank you so much 😀' }).sentiment.label).toBe('positive');
  });
});
