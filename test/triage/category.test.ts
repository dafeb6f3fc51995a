import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/triage/config.js';
import { createTriage } from '../../src/triage/index.js';

const triage = createTriage();
const category = (text: string) => triage.triage({ text }).category;

describe('category from the taxonomy (config/triage/taxonomy.yaml)', () => {
  it.each([
    ['outage', 'is your site down? nothing loads for anyone here'],
    ['outage', 'the app is down again'],
    ['account', "I can't log in to my account since yesterday"],
    ['account', 'how do I reset my password'],
    ['billing', 'I was charged twice for my subscription'],
    ['billing', 'still no refund after three weeks'],
    ['order', 'my order never arrived'],
    ['order', 'the package was delivered to the wrong address'],
    ['cancellation', 'my flight got cancelled and nobody told me'],
    ['bug', 'the app crashes every time I upload a photo'],
    ['feedback', 'you should add a dark mode'],
    ['question', 'what time does the store open on sundays?'],
    ['praise', 'love the new update, thank you!'],
    ['spam', 'follow me and win a free phone, click here http://a.example http://b.example'],
    ['other', 'just had lunch'],
  ])('%s: %s', (expected, text) => {
    expect(category(text)).toBe(expected);
  });

  it('says why with the keyword that matched', () => {
    expect(triage.triage({ text: 'the app is down again' }).reasons).toContain("outage keyword 'is down'");
  });

  it('files a happy customer under praise, not under the issue noun they mention', () => {
    expect(category('the app is great')).toBe('praise');
    expect(category('the app is broken')).toBe('bug');
  });

  it('matches keywords without their accents', () => {
    expect(category('mi pedido no ha llegado')).toBe('order');
    expect(category('todavía espero el reembolso')).toBe('billing');
    expect(category('todavia espero el reembolso')).toBe('billing');
  });

  it("takes a brand's own keywords", () => {
    const own = createTriage({ keywords: { outage: ['zorbnet'] } });
    expect(category('zorbnet is acting up')).not.toBe('outage');
    expect(own.triage({ text: 'zorbnet is acting up' }).category).toBe('outage');
    expect(() => createTriage({ keywords: { nonsense: ['x'] } })).toThrow(/no category 'nonsense'/);
  });

  it('runs patterns that need Unicode mode (\\p{…}) as well as plain ones', () => {
    const categories = loadConfig().taxonomy.categories.map((c) =>
      c.id === 'outage' ? { ...c, patterns: [...c.patterns, 'zorg\\p{L}+ (?:is )?offline'] } : c,
    );
    const own = createTriage({ overrides: { taxonomy: { categories } } });
    expect(own.triage({ text: 'zorgnet is offline' }).category).toBe('outage');
    expect(own.triage({ text: 'the website is down' }).category).toBe('outage');
  });
});
