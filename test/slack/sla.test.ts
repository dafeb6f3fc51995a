import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { slackThreads } from '../../src/db/schema.js';
import { actionIds } from '../../src/slack/action-ids.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack.js';
import { startFakeTwitter, type FakeTwitter } from '../fakes/twitter.js';
import { eventually } from '../support/services.js';
import { BRAND_ID, INBOX, agentA, startInbox, type Inbox } from './inbox-harness.js';

// A three-second first-response target with the reminder half-way: the whole SLA in a test.
const sla = { P1: 0.05, P2: 0.05, P3: 0.05, P4: 0.05 };

describe('first-response SLA', () => {
  let slack: FakeSlack;
  let x: FakeTwitter;
  let inbox: Inbox;

  beforeAll(async () => {
    slack = await startFakeSlack();
  });
  afterAll(() => slack.close());
  afterEach(async () => {
    await inbox?.close();
    await x?.close();
    slack.reset();
  });

  const start = async () => {
    x = await startFakeTwitter({ brandUserId: BRAND_ID, brandUsername: 'acme' });
    inbox = await startInbox('pglite', { slack, x }, { env: { SLA_CHECK_SECONDS: '0.3' }, file: { slack: { sla, slaRemindAt: 0.5 } } });
  };
  const mention = async (text: string) => {
    x.addMention({ text, authorId: '11', username: 'jamie' });
    await inbox.poll();
    return inbox.card(text);
  };
  const inThread = (card: { ts: string }, start: string) => slack.messages(INBOX).filter((m) => m.thread_ts === card.ts && m.text.startsWith(start));
  const thread = async () => (await inbox.h.s.db.select().from(slackThreads))[0]!;

  it('reminds before the deadline and marks the breach, once each, with many workers running the check', async () => {
    await start();
    inbox.h.startWorkers(); // a second worker process's worth of workers and maintenance loop
    inbox.h.startWorkers();
    const card = await mention('my order never arrived, where is it?');
    const opened = await thread();
    expect(opened.slaDueAt).toBeInstanceOf(Date);

    const reminder = await eventually('the reminder', () => inThread(card, ':alarm_clock:')[0], 10_000);
    expect(Date.now()).toBeLessThan(opened.slaDueAt!.getTime());
    expect(reminder.text).toMatch(/First-response target for this P\d ends/);
    const breach = await eventually('the breach', () => inThread(card, ':rotating_light:')[0], 10_000);
    expect(breach.text).toContain('SLA breached');
    await eventually('the card marked breached', () => JSON.stringify(inbox.current(card).blocks?.[0]).includes('SLA breached'));

    await new Promise((r) => setTimeout(r, 1500)); // several more rounds of the check
    expect(inThread(card, ':alarm_clock:')).toHaveLength(1);
    expect(inThread(card, ':rotating_light:')).toHaveLength(1);
    expect(await thread()).toMatchObject({ slaRemindedAt: expect.any(Date), slaBreachedAt: expect.any(Date), firstResponseAt: null });
    // One schedule in Redis, however many processes started it.
    expect(await inbox.h.s.queues.sla.getJobSchedulersCount()).toBe(1);
  });

  it('stops the clock at the first reply sent from Slack, storing the time to first response and to resolution', async () => {
    await start();
    const card = await mention('app crashes when I pay, please help?');
    await inbox.slackEvents.threadMessage({ channel: INBOX, threadTs: card.ts, user: agentA.id, text: 'Looking into it now' });
    await eventually('the first response recorded', async () => (await thread()).firstResponseAt);
    await new Promise((r) => setTimeout(r, 3500)); // past the deadline
    expect(inThread(card, ':rotating_light:')).toHaveLength(0);
    const answered = await thread();
    expect(answered.slaBreachedAt).toBeNull();
    expect(answered.firstResponseSeconds).toBeLessThan(3);

    await inbox.slackEvents.clickInMessage(inbox.current(card), agentA, actionIds.resolve);
    const resolved = await eventually('resolved', async () => (await thread()).resolutionSeconds != null && thread());
    expect(resolved.resolutionSeconds).toBeGreaterThanOrEqual(3);
  });
});
