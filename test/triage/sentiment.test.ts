import Sentiment from 'sentiment';
import { describe, expect, it } from 'vitest';
import { createTriage } from '../../src/triage/index.js';
import { tokenize } from '../../src/triage/tokenize.js';

const triage = createTriage();
const judge = (text: string) => triage.triage({ text });
const score = (text: string) => judge(text).sentiment.score;
const label = (text: string) => judge(text).sentiment.label;

describe('tokenizing a social post', () => {
  it('splits an emoji glued to a word, and reads emoticons as emoji', () => {
    expect(tokenize('late😡').tokens).toEqual(['late', '😡']);
    expect(tokenize('so sad :(', { emoticons: new Map([[':(', '🙁']]) }).tokens).toEqual(['so', 'sad', '🙁']);
  });

  it('counts links, mentions and hashtags instead of scoring them, and marks clause, sentence and question ends', () => {
    const t = tokenize('@brand why?? see https://x.co/a #fail, now.');
    expect(t).toMatchObject({ urls: 1, mentions: 1, hashtags: 1, questions: 2, exasperated: 1 });
    expect(t.tokens).toEqual(['why', '|||', 'see', 'fail', '|', 'now', '||']);
  });

  it('undoes stretched words to the word the lexicon knows', () => {
    expect(tokenize('sooo gooood', { known: (w) => w === 'good' }).tokens).toEqual(['soo', 'good']);
  });
});

describe('lexicon sentiment around the `sentiment` package', () => {
  it('scores an emoji glued to a word (AFINN alone gives late😡 0)', () => {
    expect(new Sentiment().analyze('late😡').score).toBe(0);
    expect(score('late😡')).toBeLessThan(0);
    expect(label('late😡')).toBe('negative');
  });

  it('negates past an intensifier: "not very happy" is negative (AFINN alone says +3)', () => {
    expect(new Sentiment().analyze('not very happy').score).toBeGreaterThan(0);
    expect(label('I am not very happy')).toBe('negative');
    expect(label('not good')).toBe('negative');
  });

  it('knows customer-care vocabulary: a refund still awaited is a complaint that needs a reply', () => {
    expect(new Sentiment().analyze('where is my refund? been waiting 3 weeks').score).toBe(0);
    const r = judge('where is my refund? been waiting 3 weeks');
    expect(r.sentiment.label).toBe('negative');
    expect(r.complaint).toBe(true);
    expect(r.needsResponse).toBe(true);
    expect(r.category).toBe('billing');
  });

  it('reads multi-word care phrases as one: "charged twice", "can\'t log in", "still waiting"', () => {
    expect(score('I was charged twice')).toBeLessThanOrEqual(-3);
    expect(score("I can't log in")).toBeLessThanOrEqual(-3);
    expect(score('still waiting')).toBeLessThan(score('waiting'));
  });

  it('weighs what follows "but" over what precedes it', () => {
    expect(label('the crew was lovely but my bag is lost')).toBe('negative');
    expect(label('the flight was delayed but the crew was amazing and the food great')).toBe('positive');
    // The same words without the contrast lean the other way than with it.
    expect(score('my bag is lost but the crew was lovely')).toBeGreaterThan(score('the crew was lovely but my bag is lost'));
  });

  it('strengthens a word after an intensifier', () => {
    expect(score('the app is very good')).toBeGreaterThan(score('the app is good'));
    expect(score('this is extremely bad')).toBeLessThan(score('this is bad'));
    // The intensifier is not a sentiment word of its own.
    expect(score('very')).toBe(0);
  });

  it('softens sentiment words inside a question: "any good news?" is hope, not praise', () => {
    expect(score('is the app good?')).toBeLessThan(score('the app is good'));
    expect(Math.abs(score('any delays today?'))).toBeLessThan(Math.abs(score('delays today')));
  });

  it('makes "?!" exasperation and "!" emphasis count', () => {
    expect(score('why is my order late?!')).toBeLessThan(score('why is my order late'));
    expect(score('awful!!!')).toBeLessThan(score('awful'));
  });

  it("leaks nothing between calls: another engine or the package's `extras` never changes our scores", () => {
    const before = judge('the banana was delivered');
    const bananas = createTriage({ overrides: { care: { en: { banana: -5 } } } });
    expect(bananas.triage({ text: 'the banana was delivered' }).sentiment.label).toBe('negative');
    // The package's own `extras` writes into its shared language table.
    new Sentiment().analyze('banana', { extras: { banana: 5, delivered: -5 } });
    expect(judge('the banana was delivered')).toEqual(before);
    expect(before.sentiment.label).toBe('neutral');
  });

  it('labels neutral text neutral', () => {
    expect(judge('I am flying to Boston on Tuesday').sentiment).toEqual({ label: 'neutral', score: 0 });
  });
});

describe('wishes, what-ifs and politeness in a complaint', () => {
  it('does not take praise that is only wished for: "would be great", "should be"', () => {
    expect(label('an update on my booking would be great')).not.toBe('positive');
    expect(score('an update would be great')).toBeLessThan(score('the update is great'));
    expect(score('ojalá fuera bueno')).toBeLessThan(score('es bueno'));
  });

  it('reads "thanks" in a complaint as courtesy or sarcasm, not praise', () => {
    expect(label('thanks for the 3 hour delay')).toBe('negative');
    expect(score('thanks, my bag is lost')).toBeLessThan(score('my bag is lost') + 2);
  });

  it('needs more than one mild AFINN word for praise in English', () => {
    expect(label('I like it')).toBe('neutral');
    expect(label('I like it a lot, great job')).toBe('positive');
  });
});
