import { eq, isNotNull, isNull } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { incidents, mentions, replies } from '../../src/db/schema.js';
import { INBOX, agentA } from '../slack/inbox-harness.js';
import { dbKinds } from '../support/db.js';
import { nextScheduledRun } from '../support/scheduled.js';
import { eventually } from '../support/services.js';
import { drained } from '../support/settle.js';
import { incidentSuite } from './incident-harness.js';

describe.each(dbKinds)('incidents: linking mentions and closing the loop (%s)', (kind) => {
  const t = incidentSuite(kind);
  const fast = { repliesPerMinute: { twitter: 6000, discord: 6000 } };

  it('links matching mentions during an open incident (no cards, a digest in its thread), acknowledges each customer once, follows up once each on resolve', async () => {
    await t.startAll({ ...fast, acknowledge: true, publicUrl: 'https://status.example.com' });
    const { card } = await t.declare({
      title: 'Login outage',
      keywords: 'login',
      public_text: 'We are investigating problems signing in.',
    });
    const cardsBefore = t.slack.messages(INBOX).filter((m) => !m.thread_ts).length;

    const tweets = [
      t.x.addMention({ text: 'login is broken again', authorId: '21', username: 'ann' }),
      t.x.addMention({ text: 'still cannot login!!', authorId: '21', username: 'ann' }),
      t.x.addMention({ text: 'Login page shows an error', authorId: '22', username: 'bob' }),
      t.x.addMention({ text: 'login fails for me too', authorId: '23', username: 'cat' }),
    ];
    const other = t.x.addMention({ text: 'how do I change my billing address?', authorId: '24', username: 'dan' });
    await t.inbox.poll();
    await t.inbox.card('billing address');
    const db = t.inbox.h.s.db;
    const linked = await eventually('four linked mentions', async () => {
      const rows = await db.select().from(mentions).where(isNotNull(mentions.incidentId));
      return rows.length === 4 && rows.every((r) => r.state === 'notified') && rows;
    });
    expect(linked.map((r) => r.externalId).sort()).toEqual(tweets.map((tw) => tw.id).sort());
    expect(linked.every((r) => r.slackTs === null)).toBe(true);
    // Only the unrelated question got a card of its own.
    expect(t.slack.messages(INBOX).filter((m) => !m.thread_ts)).toHaveLength(cardsBefore + 1);
    const digest = await eventually('the digest in the incident thread', () =>
      t.thread(card).find((m) => m.text.includes("about 'Login outage'")),
    );
    expect(digest.text).toBe("4 more about 'Login outage' since the last digest");
    expect(JSON.stringify(digest.blocks)).toContain('@ann');
    await eventually('the card to count them', () => JSON.stringify(t.inbox.current(card).blocks).includes('4 linked mention(s)'));

    // One acknowledgement per customer, not per mention.
    await eventually('three acknowledgements', () => t.x.posted.filter((p) => p.inReplyTo).length === 3);
    const acks = t.x.posted.filter((p) => p.inReplyTo);
    expect(acks.map((a) => a.text.split(',')[0]).sort()).toEqual(['Hi @ann', 'Hi @bob', 'Hi @cat']);
    expect(acks[0]!.text).toContain('https://status.example.com/status');

    // bob deletes his tweet before the fix: his follow-up is skipped.
    t.x.deleteTweet(tweets[2]!.id);
    await t.inbox.slackEvents.clickInMessage(t.inbox.current(card), agentA, 'carebot.incident_resolve');
    await eventually('the resolve modal', () => t.slack.modals().length === 2);
    expect((await t.inbox.slackEvents.submitView(t.lastModal().id, agentA, {})).status).toBe(200);
    await eventually('the card to read resolved', () => t.inbox.current(card).text.includes('— Resolved'));
    const summary = await eventually('the follow-up summary', () => t.thread(card).find((m) => m.text.startsWith('Follow-ups:')));
    expect(summary.text).toBe('Follow-ups: 2 sent, 0 failed, 1 skipped (deleted tweet / blocked DM)');
    const followUps = t.x.posted.filter((p) => p.text.includes('is fixed'));
    const authorOf = new Map(tweets.map((tw, i) => [tw.id, ['ann', 'ann', 'bob', 'cat'][i]]));
    expect(followUps.map((f) => authorOf.get(f.inReplyTo!)).sort()).toEqual(['ann', 'cat']);
    // One follow-up per customer, to their latest mention (ann wrote twice); bob's was skipped.
    const rows = await db
      .select({ author: mentions.authorHandle, to: mentions.externalId, state: replies.state })
      .from(replies)
      .innerJoin(mentions, eq(replies.mentionId, mentions.id))
      .where(eq(replies.kind, 'follow_up'));
    expect(rows.toSorted((a, b) => a.author!.localeCompare(b.author!))).toEqual([
      { author: 'ann', to: tweets[1]!.id, state: 'sent' },
      { author: 'bob', to: tweets[2]!.id, state: 'skipped' },
      { author: 'cat', to: tweets[3]!.id, state: 'sent' },
    ]);

    // The billing question is no part of it: a card of its own, not linked, and (once no reply is
    // left to send) neither acknowledged nor followed up.
    const [unrelated] = await db.select().from(mentions).where(eq(mentions.externalId, other.id));
    expect(unrelated).toMatchObject({ state: 'notified', incidentId: null, slackTs: expect.any(String) });
    await drained(t.inbox.h, ['outbound']);
    expect(t.x.posted.filter((p) => p.inReplyTo === other.id)).toEqual([]);

    // Posted once: once it is recorded, the next incident round (which reads it so) posts no other.
    await eventually('the summary recorded', async () => (await db.select().from(incidents))[0]?.followUpsReportTs === summary.ts);
    await nextScheduledRun(t.inbox.h, 'spikes', 'incidents-tick');
    expect(t.thread(card).filter((m) => m.text.startsWith('Follow-ups:'))).toHaveLength(1);
  });
  it("counts mentions a batch links behind the digest's mark (batches commit out of id order) on the card and in the next digest", async () => {
    await t.startAll(fast);
    const { card } = await t.declare({
      title: 'Login outage',
      keywords: 'login',
      public_text: 'We are investigating problems signing in.',
    });
    t.x.addMention({ text: 'the app crashes when I open a playlist', authorId: '41', username: 'ivy' });
    await t.inbox.poll();
    await t.inbox.card('crashes when I open a playlist');
    t.x.addMention({ text: 'login is broken', authorId: '42', username: 'jon' });
    await t.inbox.poll();
    await eventually('the card to count the linked mention', () =>
      JSON.stringify(t.inbox.current(card).blocks).includes('1 linked mention(s)'),
    );
    const digests = await eventually('the first digest', () => {
      const found = t.thread(card).filter((m) => m.text.includes("about 'Login outage'"));
      return found.length === 1 && found;
    });
    expect(digests[0]!.text).toBe("1 more about 'Login outage' since the last digest");
    const db = t.inbox.h.s.db;
    const [incident] = await db.select().from(incidents);
    const [older] = await db.select().from(mentions).where(isNull(mentions.incidentId));
    expect(older!.id).toBeLessThan(incident!.digestedUpTo);

    // What a batch that read this mention early and committed late leaves behind.
    await db.update(mentions).set({ incidentId: incident!.id }).where(eq(mentions.id, older!.id));
    await eventually('the card to count it too', () => JSON.stringify(t.inbox.current(card).blocks).includes('2 linked mention(s)'));
    await eventually('a digest to count it', () =>
      t.thread(card).find((m) => m.text === "1 more about 'Login outage' since the last digest" && m !== digests[0]),
    );
    expect(t.thread(card).filter((m) => m.text.includes("about 'Login outage'"))).toHaveLength(2);
  });

  it('links the complaints that came before the declaration (the cards that raised the alarm) and follows them up too', async () => {
    await t.startAll({ ...fast, acknowledge: true });
    const early = [
      t.x.addMention({ text: 'login keeps failing since this morning', authorId: '31', username: 'eve' }),
      t.x.addMention({ text: 'cannot login on the app', authorId: '32', username: 'fay' }),
    ];
    t.x.addMention({ text: 'love the new playlist feature', authorId: '33', username: 'gus' });
    t.x.addMention({ text: 'the new login page looks great, thanks!', authorId: '34', username: 'hal' });
    await t.inbox.poll();
    await t.inbox.card('cannot login on the app');
    await t.inbox.card('new playlist feature');
    await t.inbox.card('new login page looks great');

    const { card } = await t.declare({
      title: 'Login outage',
      keywords: 'login',
      public_text: 'We are investigating problems signing in.',
    });
    const db = t.inbox.h.s.db;
    const linked = await db.select().from(mentions).where(isNotNull(mentions.incidentId));
    expect(linked.map((r) => r.externalId).sort()).toEqual(early.map((tw) => tw.id).sort());
    // Their cards, posted before the incident, now say they belong to it; the others do not.
    const saysLinked = (words: string) =>
      JSON.stringify(t.slack.messages().find((m) => !m.thread_ts && JSON.stringify(m.blocks).includes(words))?.blocks).includes(
        'linked to incident #1',
      );
    await eventually('the earlier cards marked linked', () => saysLinked('cannot login on the app') && saysLinked('login keeps failing'));
    expect(saysLinked('new playlist feature')).toBe(false);
    await eventually('an acknowledgement to each earlier customer', () => t.x.posted.filter((p) => p.inReplyTo).length === 2);

    await t.inbox.slackEvents.clickInMessage(t.inbox.current(card), agentA, 'carebot.incident_resolve');
    await eventually('the resolve modal', () => t.slack.modals().length === 2);
    expect((await t.inbox.slackEvents.submitView(t.lastModal().id, agentA, {})).status).toBe(200);
    const summary = await eventually('the follow-up summary', () => t.thread(card).find((m) => m.text.startsWith('Follow-ups:')));
    expect(summary.text).toBe('Follow-ups: 2 sent, 0 failed, 0 skipped (deleted tweet / blocked DM)');
    const followedUp = t.x.posted
      .filter((p) => p.text.includes('is fixed'))
      .map((p) => p.inReplyTo)
      .sort();
    expect(followedUp).toEqual(early.map((tw) => tw.id).sort());
  });
});
