import { describe, expect, it } from 'vitest';
import type { MentionRow } from '../../src/db/rows.js';
import { createTriage, sentimentStrength } from '../../src/triage/index.js';
import { mentionCard } from '../../src/slack/views/card.js';

const triage = createTriage();
const row = (over: Partial<MentionRow>): MentionRow =>
  ({
    id: 7,
    platform: 'twitter',
    authorHandle: 'jamie',
    authorName: null,
    authorFollowers: null,
    authorUrl: null,
    url: null,
    text: '',
    private: false,
    attachments: [],
    editedAt: null,
    deletedAt: null,
    ...over,
  }) as MentionRow;
const shown = (m: MentionRow) => {
  const card = mentionCard(m, triage.triage({ text: m.text ?? '' }));
  return JSON.stringify(card.blocks);
};

describe('the card', () => {
  // A real post of the kind that showed "positive 80.3": AFINN points add up without bound.
  const gushing = 'omg 😍😍😍😍😍😍🥰🥰🥰🥰 best airline ever!!! love love love the crew 🙌🙌🙌 amazing wonderful';

  it('shows sentiment on a fixed -1..+1 scale, however many emoji a post holds', () => {
    const score = triage.triage({ text: gushing }).sentiment.score;
    expect(score).toBeGreaterThan(20); // the engine's own unbounded points
    expect(shown(row({ text: gushing }))).toMatch(/positive \+(0\.9\d|1\.00)/);
    expect(sentimentStrength(score)).toBeLessThanOrEqual(1);
    expect(sentimentStrength(-1e9)).toBe(-1);
    expect(sentimentStrength(0)).toBe(0);
    expect(sentimentStrength(-3)).toBeCloseTo(-0.61, 2);
  });

  it('marks a direct message, lists what was sent along and says what became of the message', () => {
    const blocks = shown(
      row({
        text: '',
        private: true,
        deletedAt: new Date(),
        attachments: [
          { kind: 'image', name: 'receipt.png', url: 'https://cdn.discordapp.com/attachments/1/2/receipt.png' },
          { kind: 'sticker', name: 'Wave', url: null },
        ],
      }),
    );
    expect(blocks).toContain('direct message');
    expect(blocks).toContain('_(no text)_');
    expect(blocks).toContain('<https://cdn.discordapp.com/attachments/1/2/receipt.png|receipt.png>');
    expect(blocks).toContain(':label: Wave');
    expect(blocks).toContain('Deleted by the customer');
  });

  it('keeps a long list of attachments whole: never a link cut in half', () => {
    const many = Array.from({ length: 20 }, (_, i) => ({
      kind: 'file' as const,
      name: `file-${i}.pdf`,
      url: `https://example.com/${'x'.repeat(300)}/${i}`,
    }));
    const card = mentionCard(row({ text: 'see files', attachments: many }), triage.triage({ text: 'see files' }));
    const context = card.blocks.find((b) => b.type === 'context' && JSON.stringify(b).includes('file-0.pdf'));
    const text = JSON.parse(JSON.stringify(context)).elements[0].text as string;
    expect(text.length).toBeLessThanOrEqual(3000);
    expect(text).toMatch(/…and \d+ more$/);
    for (const line of text.split('\n').slice(0, -1))
      expect(line).toMatch(/^:paperclip: <https:\/\/example\.com\/x+\/\d+\|file-\d+\.pdf>$/);
  });
});
