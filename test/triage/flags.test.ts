import { describe, expect, it } from 'vitest';
import { createTriage } from '../../src/triage/index.js';

const triage = createTriage();
const judge = (text: string) => triage.triage({ text });

describe('complaint, needs-a-reply and spam', () => {
  it('calls a let-down customer a complaint that needs an answer', () => {
    for (const text of ['my order never arrived', 'your site is down again', 'this is the third time my bag is lost, unacceptable']) {
      expect(judge(text)).toMatchObject({ complaint: true, needsResponse: true, spam: false });
    }
  });

  it('asks for an answer to a question without calling it a complaint', () => {
    expect(judge('how do I change my email address?')).toMatchObject({ complaint: false, needsResponse: true });
    expect(judge('can you help me with my booking?')).toMatchObject({ complaint: false, needsResponse: true });
  });

  it('leaves chatter and praise alone', () => {
    expect(judge('lol who even asks that?')).toMatchObject({ complaint: false, needsResponse: false });
    expect(judge('love the new update, thank you!')).toMatchObject({ complaint: false, needsResponse: false });
    expect(judge('just had lunch')).toMatchObject({ complaint: false, needsResponse: false });
  });

  it('takes a request without a question mark as needing a reply', () => {
    expect(judge('please dm me about my booking')).toMatchObject({ needsResponse: true });
  });

  it('flags promotions as spam, never as a complaint, and says why', () => {
    const r = judge('follow me and win a free phone, click here');
    expect(r).toMatchObject({ spam: true, complaint: false, needsResponse: false, priority: 'P4', category: 'spam' });
    expect(r.reasons.join(' ')).toMatch(/spam: promotion 'follow me'/);
  });

  it('flags a link farm as spam', () => {
    const r = judge('best deals http://a.example http://b.example http://c.example http://d.example');
    expect(r.spam).toBe(true);
    expect(r.reasons.join(' ')).toMatch(/4 links/);
  });

  it('does not call one link and a hashtag spam', () => {
    expect(judge('my order never arrived, see https://a.example #help').spam).toBe(false);
  });

  it('flags a wall of hashtags and mentions with a promotion as spam', () => {
    expect(judge('giveaway #a #b #c #d #e @x @y @z @w @v').spam).toBe(true);
  });
});
