import { describe, expect, it } from 'vitest';
import { slackThreads } from '../../src/db/schema.js';
import { actionIds } from '../../src/slack/views/action-ids.js';
import { eventually } from '../support/services.js';
import { INBOX, agentA, inboxSuite } from './inbox-harness.js';

// A three-second first-response target with the reminder half-way: the whole SLA in a test.
const sla = { P1: 0.05, P2: 0.05, P3: 0.05, P4: 0.05 };

describe('first-response SLA', () => {
  const t = inboxSuite();
  const start = () => t.start({ env: { SLA_CHECK_SECONDS: '0.3' }, file: { slack: { sla, slaRemindAt: 0.5 } } });
  const mention = async (text: string) => (await t.mention(text)).card;
  const inThread = (card: { ts: string }, start: string) =>
    t.slack.messages(INBOX).filter((m) => m.thread_ts === card.ts && m.text.startsWith(start));
  const thread = async () => (await t.inbox.h.s.db.select().from(slackThreads))[0]!;

  it('reminds before the deadline and marks the breach, once each, with many workers running the check', async () => {
    await start();
    t.inbox.h.startWorkers(); // a second worker process's worth of workers and maintenance loop
    t.inbox.h.startWorkers();
    const card = await mention('my order never arrived, where is it?');
    const opened = await thread();
    expect(opened.slaDueAt).toBeInstanceOf(Date);

    const reminder = await eventually('the reminder', () => inThread(card, ':alarm_clock:')[0], 10_000);
    expect(Date.now()).toBeLessThan(opened.slaDueAt!.getTime());
    expect(reminder.text).toMatch(/First-response target for this P\d ends/);
    const breach = await eventually('the breach', () => inThread(card, ':rotating_light:')[0], 10_000);
    expect(breach.text).toContain('SLA breached');
    await eventually('the card marked breached', () => JSON.stringify(t.inbox.current(card).blocks?.[0]).includes('SLA breached'));

    await new Promise((r) => setTimeout(r, 1500)); // several more rounds of the check
    expect(inThread(card, ':alarm_clock:')).toHaveLength(1);
    expect(inThread(card, ':rotating_light:')).toHaveLength(1);
    expect(await thread()).toMatchObject({ slaRemindedAt: expect.any(Date), slaBreachedAt: expect.any(Date), firstResponseAt: null });
    // One schedule in Redis, however many processes started it.
    expect(await t.inbox.h.s.queues.sla.getJobSchedulersCount()).toBe(1);
  });

  it('waits out a Slack 429 on a reminder and still posts it exactly once', async () => {
    await start();
    const card = await mention('my order never arrived, where is it?');
    t.slack.failNext('chat.postMessage', { status: 429, retryAfter: 1 });
    const reminder = await eventually('the reminder', () => inThread(card, ':alarm_clock:')[0], 10_000);
    expect(reminder.text).toContain('First-response target');
    const attempts = t.slack.calls.filter((c) => c.method === 'chat.postMessage' && String(c.body.text).startsWith(':alarm_clock:'));
    expect(attempts).toHaveLength(2); // refused with Retry-After: 1, then posted
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(900);
    await eventually('the breach', () => inThread(card, ':rotating_light:')[0], 10_000);
    expect(inThread(card, ':alarm_clock:')).toHaveLength(1);
  });

  it('stops the clock at the first reply sent from Slack, storing the time to first response and to resolution', async () => {
    await start();
    const card = await mention('app crashes when I pay, please help?');
    await t.inbox.slackEvents.threadMessage({ channel: INBOX, threadTs: card.ts, user: agentA.id, text: 'Looking into it now' });
    await eventually('the first response recorded', async () => (await thread()).firstResponseAt);
    await new Promise((r) => setTimeout(r, 3500)); // past the deadline
    expect(inThread(card, ':rotating_light:')).toHaveLength(0);
    const answered = await thread();
    expect(answered.slaBreachedAt).toBeNull();
    expect(answered.firstResponseSeconds).toBeLessThan(3);

    await t.inbox.slackEvents.clickInMessage(t.inbox.current(card), agentA, actionIds.resolve);
    const resolved = await eventually('resolved', async () => (await thread()).resolutionSeconds != null && thread());
    expect(resolved.resolutionSeconds).toBeGreaterThanOrEqual(3);
  });
});
