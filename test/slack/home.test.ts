import { eq, isNotNull } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { mentions, replies, slackThreads } from '../../src/db/schema.js';
import { actionIds } from '../../src/slack/views/action-ids.js';
import { checkSla } from '../../src/slack/jobs/sla.js';
import type { TriageResult } from '../../src/triage/index.js';
import { eventually } from '../support/services.js';
import { INBOX, agentA, agentB, inboxSuite } from './inbox-harness.js';
import { incidentSuite } from '../incidents/incident-harness.js';

describe('App Home and /carebot', () => {
  const t = inboxSuite();

  /** Three conversations: one assigned to Ana, two unassigned, all past their SLA by the time Home is drawn. */
  const seed = async () => {
    await t.start();
    const texts = ['the checkout page is broken, I cannot pay!', 'where is my refund? it has been weeks', 'love the new update, thanks'];
    texts.forEach((text, i) => {
      t.x.addMention({ text, authorId: String(20 + i), username: `cust${i}` });
    });
    await t.inbox.poll();
    const cards = await Promise.all(texts.map((text) => t.inbox.card(text)));
    await t.inbox.slackEvents.clickInMessage(t.inbox.current(cards[0]!), agentA, actionIds.assignMe);
    await eventually('the assignment', () => JSON.stringify(t.inbox.current(cards[0]!).blocks?.[0]).includes('Assigned'));
    // The real SLA check, run as if a day had passed.
    const { breached } = await checkSla({ ...t.inbox.h.s, slack: t.inbox.h.s.slack! }, new Date(Date.now() + 86_400_000));
    return { texts, cards, breached };
  };
  const home = (user: string) =>
    t.slack.homeOf(user) as
      | { id: string; blocks: Array<{ type: string; text?: { text: string }; elements?: Array<{ text: string }> }> }
      | undefined;
  const textOf = (view: NonNullable<ReturnType<typeof home>>) =>
    view.blocks
      .map((b) => b.text?.text ?? b.elements?.map((e) => (typeof e.text === 'string' ? e.text : JSON.stringify(e.text))).join(' ') ?? '')
      .join('\n');

  it('publishes my assignments, the unassigned by priority, SLA breaches and today’s volume when Home opens', async () => {
    const { texts, cards, breached } = await seed();
    const res = await t.inbox.slackEvents.appHomeOpened(agentA.id);
    expect(res.status).toBe(200);
    const view = await eventually('the published Home', () => home(agentA.id));
    const shown = textOf(view);

    const section = (title: string) => shown.slice(shown.indexOf(title)).split('\n').slice(0, 3).join('\n');
    expect(section('My open assignments (1)')).toContain(texts[0]!.slice(0, 30));
    expect(section('My open assignments (1)')).toContain(`/archives/${INBOX}/p${cards[0]!.ts.replace('.', '')}`);
    expect(shown).toContain('Unassigned (2)');
    expect(section('Unassigned (2)')).not.toContain(texts[0]!.slice(0, 30));
    const rows = await t.inbox.h.s.db.select().from(mentions);
    const priorities = rows.filter((r) => !r.text!.includes(texts[0]!)).map((r) => r.priority!);
    for (const p of new Set(priorities)) expect(section('Unassigned (2)')).toContain(`${p} *${priorities.filter((q) => q === p).length}*`);
    expect(breached).toBeGreaterThan(0);
    expect(shown).toContain(`SLA breaches (${breached})`);

    expect(shown).toContain('Today: 3 mentions');
    const labels = rows.map((r) => (r.triage as TriageResult).sentiment.label);
    for (const label of new Set(labels)) expect(shown).toContain(`${label} *${labels.filter((l) => l === label).length}*`);
    expect(shown).toContain('twitter *3*');

    // Ben's Home is his own: nothing assigned to him.
    await t.inbox.slackEvents.appHomeOpened(agentB.id);
    expect(textOf(await eventually("Ben's Home", () => home(agentB.id)))).toContain('My open assignments (0)');

    // Refresh redraws it after a change.
    await t.inbox.slackEvents.clickInMessage(t.inbox.current(cards[1]!), agentA, actionIds.assignMe);
    await eventually('the second assignment', () => JSON.stringify(t.inbox.current(cards[1]!).blocks?.[0]).includes('Assigned'));
    await t.inbox.slackEvents.clickInView(view.id, agentA, actionIds.homeRefresh);
    await eventually('the refreshed Home', () => textOf(home(agentA.id)!).includes('My open assignments (2)'));
  });

  it('answers /carebot with a summary only the caller sees, and help for unknown subcommands', async () => {
    await seed();
    const summary = await t.inbox.slackEvents.command('/carebot', '', agentA, INBOX);
    expect(summary.status).toBe(200);
    expect(summary.body).toMatchObject({ response_type: 'ephemeral' });
    const text = (summary.body as { text: string }).text;
    expect(text).toContain('*Your open assignments:* 1');
    expect(text).toContain('*Mentions in the last 24 h:* 3');

    const unknown = await t.inbox.slackEvents.command('/carebot', 'frobnicate now', agentA, INBOX);
    expect((unknown.body as { text: string }).text).toMatch(/Unknown subcommand `frobnicate`[\s\S]*\/carebot help/);
  });
});

describe('App Home during an incident', () => {
  const t = incidentSuite('pglite');
  const textOf = (view: { blocks: Array<{ text?: { text: string }; elements?: Array<{ text?: unknown }> }> }) =>
    view.blocks.map((b) => b.text?.text ?? b.elements?.map((e) => (typeof e.text === 'string' ? e.text : '')).join(' ') ?? '').join('\n');
  const home = async () => {
    const before = t.slack.calls.filter((c) => c.method === 'views.publish').length;
    await t.inbox.slackEvents.appHomeOpened(agentB.id);
    const call = await eventually('the published Home', () => t.slack.calls.filter((c) => c.method === 'views.publish')[before]);
    return textOf(call.body.view as Parameters<typeof textOf>[0]);
  };

  it('lists the conversations an incident handles on a line of their own, not as unassigned or breached, and drops them once followed up', async () => {
    await t.startAll({ repliesPerMinute: { twitter: 6000 } });
    const complaints = ['login keeps failing since this morning', 'cannot login on the app', 'login is broken again, so annoying'];
    const question = 'how do I change my billing address?';
    [...complaints, question].forEach((text, i) => {
      t.x.addMention({ text, authorId: String(50 + i), username: `cust${i}` });
    });
    await t.inbox.poll();
    await Promise.all([...complaints, question].map((text) => t.inbox.card(text)));
    const { card } = await t.declare({
      title: 'Login <down> & out',
      keywords: 'login',
      public_text: 'We are investigating problems signing in.',
    });
    const db = t.inbox.h.s.db;
    expect((await db.select().from(mentions).where(isNotNull(mentions.incidentId))).length).toBe(3);
    // A day later nobody has answered anyone.
    await checkSla({ ...t.inbox.h.s, slack: t.inbox.h.s.slack! }, new Date(Date.now() + 86_400_000));
    const breached = await db
      .select({ linked: mentions.incidentId })
      .from(slackThreads)
      .innerJoin(mentions, eq(mentions.id, slackThreads.rootMentionId))
      .where(isNotNull(slackThreads.slaBreachedAt));
    // Only the question breached: the incident's follow-up will answer the complaints.
    expect(breached.map((b) => b.linked)).toEqual([null]);

    const during = await home();
    const section = (shown: string, title: string) => shown.slice(shown.indexOf(title)).split('\n').slice(0, 3).join('\n');
    expect(during).toContain('Unassigned (1)');
    expect(section(during, 'Unassigned (1)')).toContain(question.slice(0, 30));
    expect(during).toContain('Linked to incidents (3)');
    // The team's words, escaped.
    expect(section(during, 'Linked to incidents (3)')).toContain('*#1* Login &lt;down&gt; &amp; out · *3*');
    const unlinkedBreaches = breached.filter((b) => !b.linked).length;
    expect(during).toContain(`SLA breaches (${unlinkedBreaches})`);
    for (const text of complaints) expect(during).not.toContain(text.slice(0, 30));

    // Resolved and followed up: their cards are closed, counted nowhere.
    await t.inbox.slackEvents.clickInMessage(t.inbox.current(card), agentA, 'carebot.incident_resolve');
    await eventually('the resolve modal', () => t.slack.modals().length === 2);
    expect((await t.inbox.slackEvents.submitView(t.lastModal().id, agentA, {})).status).toBe(200);
    await eventually('the follow-ups sent', async () => {
      const rows = await db.select().from(replies);
      return rows.length === 3 && rows.every((r) => r.state === 'sent');
    });
    await eventually('the cards closed', async () => {
      const open = await db.select().from(slackThreads).where(eq(slackThreads.status, 'new'));
      return open.length === 1;
    });
    const after = await home();
    expect(after).not.toContain('Linked to incidents');
    expect(after).toContain('Unassigned (1)');
    expect(after).toContain(`SLA breaches (${unlinkedBreaches})`);
  });
});
