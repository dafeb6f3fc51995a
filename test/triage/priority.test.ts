import { describe, expect, it } from 'vitest';
import { createTriage } from '../../src/triage/index.js';
import { compact } from '../../src/triage/priority.js';

const triage = createTriage({ vip: ['@bigcustomer', 'id-42'] });
const rank = (p: string) => Number(p.slice(1));

describe('priority P1–P4 with its reasons', () => {
  const bug = 'the app crashes when I upload a photo';

  it('puts an outage above another issue with the same tone', () => {
    const outage = triage.triage({ text: 'the app is down' });
    const other = triage.triage({ text: bug });
    expect(outage.category).toBe('outage');
    expect(rank(outage.priority)).toBeLessThan(rank(other.priority));
  });

  it("raises a mention by the author's reach and says so", () => {
    const small = triage.triage({ text: bug, authorFollowers: 150 });
    const big = triage.triage({ text: bug, authorFollowers: 12_345 });
    const huge = triage.triage({ text: bug, authorFollowers: 2_500_000 });
    expect(big.reasons).toContain('12k followers');
    expect(huge.reasons).toContain('2.5M followers');
    expect(small.reasons.some((r) => r.includes('followers'))).toBe(false);
    expect(rank(huge.priority)).toBeLessThan(rank(small.priority));
  });

  it('raises a VIP, by handle (with or without @, any case) or by author id', () => {
    const plain = triage.triage({ text: bug });
    for (const input of [{ authorHandle: 'BigCustomer' }, { authorHandle: '@bigcustomer' }, { authorId: 'id-42' }]) {
      const vip = triage.triage({ text: bug, ...input });
      expect(rank(vip.priority)).toBeLessThan(rank(plain.priority));
      expect(vip.reasons.some((r) => r.startsWith('VIP '))).toBe(true);
    }
    expect(triage.triage({ text: bug, authorHandle: 'someoneelse' }).reasons.some((r) => r.startsWith('VIP'))).toBe(false);
  });

  it('raises a customer who wrote before within 24 h, more for many contacts', () => {
    const first = triage.triage({ text: bug });
    const again = triage.triage({ text: bug, recentContacts: 1 });
    const many = triage.triage({ text: bug, recentContacts: 4 });
    expect(again.reasons).toContain('1 earlier contact in 24 h');
    expect(many.reasons).toContain('4 earlier contacts in 24 h');
    expect(rank(again.priority)).toBeLessThanOrEqual(rank(first.priority));
    expect(rank(many.priority)).toBeLessThan(rank(first.priority));
  });

  it('raises urgency words', () => {
    const r = triage.triage({ text: 'my account was hacked, please help' });
    expect(r.reasons).toContain("urgent 'hacked'");
  });

  it('ends at P1 when everything adds up, and keeps spam at P4 whatever the reach', () => {
    expect(triage.triage({ text: 'your site is down, urgent!', authorFollowers: 2_000_000, authorHandle: 'bigcustomer' }).priority).toBe(
      'P1',
    );
    expect(triage.triage({ text: 'follow me and win a free phone, click here', authorFollowers: 2_000_000 }).priority).toBe('P4');
    expect(triage.triage({ text: 'just had lunch' }).priority).toBe('P4');
  });

  it('shows reach compactly', () => {
    expect([compact(999), compact(12_345), compact(1_250_000)]).toEqual(['999', '12k', '1.3M']);
  });
});
