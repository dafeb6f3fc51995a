import type { WebClient } from '@slack/web-api';
import { eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { mentions, spikes } from '../../src/db/schema.js';
import type { AnalyzedRow, Broadcast, Spike } from '../../src/db/rows.js';
import { receive } from '../../src/pipeline/receive.js';
import { RetryLater } from '../../src/queues/retry-later.js';
import { checkSla } from '../../src/slack/jobs/sla.js';
import { postAlert, tickSpikes } from '../../src/slack/jobs/spike-alert.js';
import { actionIds } from '../../src/slack/views/action-ids.js';
import { followUpMessage, mentionCard } from '../../src/slack/views/card.js';
import { broadcastResults } from '../../src/slack/views/incident-card.js';
import { safeUrl, slackLink } from '../../src/slack/views/link.js';
import { spikeAlert, spikeDigest } from '../../src/slack/views/spike-card.js';
import type { SlackCall, SlackMessage } from '../../fakes/slack.js';
import { INBOX, agentA, agentB, inboxSuite } from '../slack/inbox-harness.js';
import { eventually } from '../support/services.js';
import { slackListeners } from '../support/slack-listeners.js';
import { displayed, problemsIn, shownTexts, slackProblems, textsOf } from '../support/slack-payload.js';

const ESCALATIONS = 'C0ESCALATE';
const STATUS = 'C0STATUS01';
/** Ana and Ben answer customers; Ana also runs incidents. */
const roles = { agents: [agentA.id, agentB.id], leads: [agentA.id] };
/** The ids carebot itself names in what it posts: its agents and channels. Nothing a customer wrote. */
const own = { users: [agentA.id, agentB.id], channels: [INBOX, ESCALATIONS] };

/** What a customer may write, call themselves or link to, to make a card ping, mention or phish. */
const corpus = [
  '<!here>',
  '<!channel>',
  '<!everyone>',
  '<@U123>',
  '<#C123>',
  '<#C123|general>',
  '<!subteam^S123>',
  '<!subteam^S123|@oncall>',
  '<https://evil.test|click>',
  '<https://evil.test>',
  'dana> <!here> <https://evil.test|re-verify',
  'javascript:alert(1)',
  '<javascript:alert(1)|open>',
  '<mailto:a@evil.test|mail>',
  '<!date^1700000000^{date}|today>',
  '*bold* _it_ ~s~ `code`',
  '&lt;!here&gt; &amp; &lt;b&gt;',
  'a|b <x|y>',
  '\u202eexe.gpj',
  '> not a quote',
].join('\n');

/** A handle, a name and a link built to break out of `<url|@handle>` and of the notification text. */
const handle = 'dana> <!here> <https://evil.test|re-verify';
const name = '<!channel> <@U123> *Support* | Team';
const thirdParty = '<!everyone>|<#C123>';
const evilLinks = {
  url: 'https://evil.test/a|<!here>',
  authorUrl: 'https://evil.test/u> <!channel> <https://evil.test|x',
};

const showing = new Set(['chat.postMessage', 'chat.update', 'chat.postEphemeral', 'views.open', 'views.publish', 'views.update']);
const shown = (calls: SlackCall[]) => calls.filter((c) => showing.has(c.method));
/** Everything a reader sees of what the calls show, as one string. */
const seen = (calls: SlackCall[]) =>
  shownTexts(calls)
    .map((t) => (t.parsed ? displayed(t.text) : t.text))
    .join('\n');
const withMarker = (calls: SlackCall[], marker: string) => shown(calls).filter((c) => JSON.stringify(c.body).includes(marker));

describe('customer text in Slack cannot ping, mention or link (finding 6)', () => {
  const t = inboxSuite('pglite');
  const listeners = slackListeners();
  const thread = (card: SlackMessage) => t.slack.messages(INBOX).filter((m) => m.thread_ts === card.ts);
  const click = (card: SlackMessage, action: string, pick?: { value?: string }) =>
    t.inbox.slackEvents.clickInMessage(t.inbox.current(card), agentA, action, pick);
  const modal = (callbackId: string) =>
    eventually(`the ${callbackId}`, () => t.slack.modals().findLast((v) => v.callback_id === callbackId));

  it('in cards and their notification text, follow-ups in the thread, App Home, the modals and the escalation', async () => {
    await t.start({ file: { slack: { escalationChannel: ESCALATIONS, roles } } });
    const at = Date.now() - 60_000;
    const root = t.x.addMention({ text: `MARK-ROOT\n${corpus}`, authorId: '31', username: handle, name, createdAt: new Date(at) });
    await t.inbox.poll();
    const card = await t.inbox.card('MARK-ROOT');
    // The customer writes again, and a third party with a handle of their own making answers in the thread.
    const reply = { conversationId: root.id, inReplyToTweetId: root.id };
    t.x.addMention({ text: `MARK-AGAIN\n${corpus}`, authorId: '31', username: handle, name, createdAt: new Date(at + 1000), ...reply });
    t.x.addMention({ text: `MARK-OTHER\n${corpus}`, authorId: '32', username: thirdParty, name, createdAt: new Date(at + 2000), ...reply });
    await t.inbox.poll();
    await eventually('both follow-ups in the card thread', () =>
      ['MARK-AGAIN', 'MARK-OTHER'].every((m) => thread(card).some((msg) => JSON.stringify(msg.blocks).includes(m))),
    );

    // The card is edited (chat.update): the SLA check, run as if a day had passed, marks it breached.
    await checkSla({ ...t.inbox.h.s, slack: t.inbox.h.s.slack as WebClient }, new Date(Date.now() + 86_400_000));
    await eventually('the card edited', () => t.inbox.current(card).edits > 0);
    await t.inbox.slackEvents.appHomeOpened(agentA.id);
    await eventually('App Home', () => t.slack.homeOf(agentA.id));
    await click(card, actionIds.reply);
    await modal('carebot.reply_modal');
    await click(card, actionIds.more, { value: 'reclassify' });
    await modal('carebot.reclassify_modal');
    await click(card, actionIds.more, { value: 'escalate' });
    const escalate = await modal('carebot.escalate_modal');
    expect((await t.inbox.slackEvents.submitView(escalate.id, agentA, { note: 'see this' })).status).toBe(200);
    await eventually('the escalation', () => t.slack.messages(ESCALATIONS)[0]);
    await listeners.idle();

    // Each place was really drawn with the customer's words in it…
    const calls = t.slack.calls;
    const cardPosts = withMarker(calls, 'MARK-');
    for (const method of ['chat.postMessage', 'chat.update', 'views.publish', 'views.open']) {
      expect(cardPosts.some((c) => c.method === method)).toBe(true);
    }
    expect(withMarker(calls, 'MARK-OTHER')).not.toEqual([]);
    expect(calls.some((c) => c.method === 'chat.postMessage' && c.body.channel === ESCALATIONS)).toBe(true);
    // …the notification text included: Slack parses it as mrkdwn too.
    const cardPost = calls.find((c) => c.method === 'chat.postMessage' && !c.body.thread_ts && String(c.body.text).includes('MARK-ROOT'))!;
    expect(slackProblems(String(cardPost.body.text), own)).toEqual([]);
    expect(displayed(String(cardPost.body.text))).toContain(`@${handle}`);

    // …and none of it pings, mentions or links anything the customer chose.
    expect(problemsIn(calls, own)).toEqual([]);

    // The customer's words and names read as they wrote them: `&lt;` stays `&lt;`, nothing is lost.
    const reader = seen(cardPosts);
    for (const words of ['&lt;!here&gt; &amp; &lt;b&gt;', '<!here>', '<https://evil.test|click>', 'a|b <x|y>', `@${handle}`, '*bold*']) {
      expect(reader).toContain(words);
    }
    // Bidirectional overrides are dropped: they would make the words read as something else.
    expect(reader).not.toContain('\u202e');
  });

  it('in links from a generic webhook (its URLs and the author’s), the spike alert and its digest', async () => {
    await t.start({ file: { slack: { roles } } });
    const db = t.inbox.h.s.db;
    const body = (id: string, text: string) => ({
      id,
      text,
      author: { id: 'w-7', handle, name, url: evilLinks.authorUrl },
      url: evilLinks.url,
    });
    await receive(t.inbox.h.s, [
      { platform: 'webhook', externalId: 'shop/w-1', payload: { source: 'shop', body: body('w-1', `MARK-HOOK\n${corpus}`) } },
    ]);
    const card = await t.inbox.card('MARK-HOOK');
    expect(problemsIn([{ method: 'chat.postMessage', body: { text: card.text, blocks: card.blocks }, at: 0 }], own)).toEqual([]);
    const links = [...JSON.stringify(card.blocks).matchAll(/<(https?:[^|>]*)\|/g)].map((m) => m[1]);
    expect(links).toEqual(['https://evil.test/u%3E%20%3C!channel%3E%20%3Chttps://evil.test%7Cx', 'https://evil.test/a%7C%3C!here%3E']);

    // The spike its complaint is collapsed into: its term is a customer's word, its samples link out.
    t.x.addMention({ text: `MARK-SPIKE\n${corpus}`, authorId: '33', username: handle, name });
    await t.inbox.poll();
    await t.inbox.card('MARK-SPIKE');
    const [spike] = await db
      .insert(spikes)
      .values({ term: handle, terms: [handle], related: ['<!channel>', 'a|b'], count: 40, expected: 2, peak: 40, channel: INBOX })
      .returning();
    const rows = await db.select({ id: mentions.id }).from(mentions);
    await db
      .update(mentions)
      .set({ spikeId: spike!.id })
      .where(
        inArray(
          mentions.id,
          rows.map((r) => r.id),
        ),
      );
    const s = { ...t.inbox.h.s, slack: t.inbox.h.s.slack as WebClient };
    /** The job's own run, again while the channel's pace holds it back. */
    const paced = async (job: () => Promise<void>) => {
      try {
        await job();
      } catch (err) {
        if (!(err instanceof RetryLater)) throw err;
      }
    };
    const alert = await eventually('the spike alert', async () => {
      await paced(() => postAlert(s, spike!.id));
      return (await db.select().from(spikes).where(eq(spikes.id, spike!.id)))[0]?.slackTs;
    });
    await eventually('the digest in its thread', async () => {
      await paced(() => tickSpikes(s));
      return t.slack.messages(INBOX).find((m) => m.thread_ts === alert && m.text.includes('since the last digest'));
    });
    await listeners.idle();
    const spikeCalls = shown(t.slack.calls).filter((c) => c.body.ts === alert || c.body.thread_ts === alert || c.body.metadata);
    expect(spikeCalls.length).toBeGreaterThanOrEqual(2);
    expect(problemsIn(t.slack.calls, own)).toEqual([]);
    expect(seen(spikeCalls)).toContain(`'${handle}'`);
  });

  it('in views given URLs that are not http(s): rows stored before ingest refused them, a broadcast’s answer', async () => {
    await t.start();
    await t.mention('MARK-VIEW my parcel is late'); // a real stored row to start from
    const [stored] = await t.inbox.h.s.db.select().from(mentions);
    const row = {
      ...stored!,
      url: 'javascript:alert(1)',
      authorUrl: 'data:text/html,<script>alert(1)</script>',
      private: true,
      editedAt: new Date(),
      // What a customer names their files and what a network could link them to.
      attachments: [
        { kind: 'file', name, url: 'javascript:alert(1)' },
        { kind: 'image', name: handle, url: evilLinks.url },
        { kind: 'sticker', name: null, url: null },
      ],
    } as AnalyzedRow;
    const spike = {
      id: 1,
      term: 'x',
      related: [],
      status: 'open',
      count: 3,
      expected: 1,
      peak: 3,
      openedAt: new Date(),
    } as unknown as Spike;
    const sample = { handle, text: corpus, url: 'javascript:alert(1)' };
    const broadcast = { platform: 'twitter', state: 'sent', url: 'javascript:alert(1)//https://x.com/acme' } as unknown as Broadcast;
    const views = [
      mentionCard(row, row.triage),
      followUpMessage(row, row.triage, { authorId: 'someone-else', authorHandle: 'dana' }),
      spikeAlert(spike, { windowMinutes: 5, mentions: 1, samples: [sample] }),
      spikeDigest(handle, [sample], 1),
      broadcastResults([broadcast]),
    ];
    const problems = views.flatMap((v) => textsOf({ method: 'view', body: v as never }).flatMap((x) => slackProblems(x.text, own)));
    expect(problems).toEqual([]);
    expect(JSON.stringify(views)).not.toContain('javascript:');
    expect(JSON.stringify(views)).not.toContain('data:text');
  });
});

describe('the safe Slack link', () => {
  it('links only http(s), percent-encodes what could break out of <url|label>, escapes the label', () => {
    expect(safeUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeUrl(' JavaScript:alert(1)')).toBeUndefined();
    expect(safeUrl('data:text/html,hi')).toBeUndefined();
    expect(safeUrl('slack://open')).toBeUndefined();
    expect(safeUrl('/relative')).toBeUndefined();
    expect(safeUrl('https://x.com/a|b<c>d e"f\'g\u0001\u202e')).toBe('https://x.com/a%7Cb%3Cc%3Ed%20e%22f%27g%01%E2%80%AE');
    expect(safeUrl('https://slack.com@evil.test/')).toBe('https://evil.test/');
    expect(safeUrl('https://shop.example/?a=1&b=2')).toBe('https://shop.example/?a=1&amp;b=2');
    expect(slackLink('https://x.com/dana', '@da|na <!here>')).toBe('<https://x.com/dana|@da¦na &lt;!here&gt;>');
    expect(slackLink('javascript:alert(1)', 'open')).toBe('open');
    expect(slackProblems(slackLink('https://evil.test/a|<!here>', 'a|b\n<!channel>'))).toEqual([]);
  });
});

describe('customer text in an incident’s thread: its digest and the follow-up report (finding 6)', () => {
  const t = inboxSuite('pglite');
  const listeners = slackListeners();
  const thread = (card: SlackMessage) => t.slack.messages(STATUS).filter((m) => m.thread_ts === card.ts);
  const lastModal = () => t.slack.modals().at(-1)!;

  it('cannot ping, mention or link', async () => {
    await t.start({
      file: { slack: { roles }, incidents: { statusChannel: STATUS, repliesPerMinute: { twitter: 6000, discord: 6000 } } },
    });
    await t.inbox.slackEvents.command('/carebot', 'incident', agentA, INBOX);
    await eventually('the incident modal', () => t.slack.modals().length === 1);
    const declared = await t.inbox.slackEvents.submitView(lastModal().id, agentA, {
      title: 'Login outage',
      keywords: 'login',
      public_text: 'We are investigating problems signing in.',
    });
    expect(declared.body).toBe('');
    const card = await eventually('the incident card', () => t.slack.messages(STATUS).find((m) => !m.thread_ts));
    t.x.addMention({ text: `login is broken MARK-INCIDENT\n${corpus}`, authorId: '51', username: handle, name });
    t.x.addMention({ text: `login fails MARK-INCIDENT\n${corpus}`, authorId: '52', username: thirdParty, name });
    await t.inbox.poll();
    await eventually('the digest in the incident thread', () => thread(card).find((m) => m.text.includes("about 'Login outage'")));
    await t.inbox.slackEvents.clickInMessage(t.inbox.current(card), agentA, actionIds.resolveIncident);
    await eventually('the resolve modal', () => t.slack.modals().length === 2);
    expect((await t.inbox.slackEvents.submitView(lastModal().id, agentA, {})).status).toBe(200);
    await eventually('the follow-up report', () => thread(card).find((m) => m.text.startsWith('Follow-ups:')));
    await listeners.idle();
    expect(withMarker(t.slack.calls, 'MARK-INCIDENT')).not.toEqual([]);
    expect(problemsIn(t.slack.calls, { ...own, channels: [...own.channels, STATUS] })).toEqual([]);
    expect(seen(withMarker(t.slack.calls, 'MARK-INCIDENT'))).toContain(`@${handle}`);
  });
});
