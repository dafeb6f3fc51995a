import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.js';
import { auditLog, incidents, replies, slackThreads, spikes } from '../../src/db/schema.js';
import { actionIds } from '../../src/slack/views/action-ids.js';
import { spikeAlert } from '../../src/slack/views/spike-card.js';
import { incidentSuite } from '../incidents/incident-harness.js';
import { INBOX, agentA, agentB } from '../slack/inbox-harness.js';
import { configFiles } from '../support/config-file.js';
import { eventually } from '../support/services.js';

// Issue 16, findings 2 and 3: incident actions checked no permission, and an empty permission list
// meant everyone. Every Slack action is now checked on the server against a role, fails closed,
// and the refusal is audited. agentA is a lead here; agentB an agent only (a member of the inbox).
const intern = { id: 'U0INTERN01', name: 'ivy' };
const guest = { id: 'U0GUEST001', name: 'gus' };
const owner = { id: 'U0OWNER001', name: 'ola' };

describe('roles: nobody inside beyond their role', () => {
  const t = incidentSuite('pglite');
  const yaml = configFiles();
  const ephemeralsTo = (user: string) =>
    t.slack.calls.filter((c) => c.method === 'chat.postEphemeral' && c.body.user === user).map((c) => String(c.body.text));
  const refusals = async (user: string, n: number) =>
    eventually(`${n} refusals to ${user}`, () => ephemeralsTo(user).length >= n && ephemeralsTo(user));
  const denied = async (user: string) => t.inbox.h.s.db.select().from(auditLog).where(eq(auditLog.actor, user));

  it('refuses a workspace member who is not an agent at every card action, reply and App Home, and tells them who may', async () => {
    await t.startAll();
    const { card, tweet } = await t.mention('my order 4711 is stuck');
    const click = (action: string, pick?: { value?: string; user?: string }) =>
      t.inbox.slackEvents.clickInMessage(t.inbox.current(card), intern, action, pick);

    await click(actionIds.reply);
    await click(actionIds.assignMe);
    await click(actionIds.assign, { user: intern.id });
    await click(actionIds.resolve);
    for (const value of ['spam', 'reclassify', 'escalate']) await click(actionIds.more, { value });
    await t.inbox.slackEvents.threadMessage({
      channel: INBOX,
      threadTs: card.ts,
      user: intern.id,
      text: 'unlocked, here is a refund code',
    });
    const told = await refusals(intern.id, 8);
    expect(told.every((text) => /^Only agents \(`slack\.roles\.agents` .*, leads and admins may .+\. Nothing was done\.$/.test(text))).toBe(
      true,
    );

    // Nothing changed, nothing opened, nothing reached the customer.
    expect(t.slack.modals()).toHaveLength(0);
    const [thread] = await t.inbox.h.s.db.select().from(slackThreads);
    expect(thread).toMatchObject({ status: 'new', assignee: null });
    expect(await t.inbox.h.s.db.select().from(replies)).toEqual([]);
    expect(t.x.posted).toEqual([]);
    expect((await denied(intern.id)).map((a) => a.action)).toEqual(Array(8).fill('denied'));

    // App Home: no customer text for a non-agent; the summary command refuses too.
    await t.inbox.slackEvents.appHomeOpened(intern.id);
    const home = await eventually('the closed App Home', () => t.slack.homeOf(intern.id));
    expect(JSON.stringify(home)).not.toContain('4711');
    expect(JSON.stringify(home)).toContain('Ask your team lead');
    const summary = await t.inbox.slackEvents.command('/carebot', '', intern, INBOX);
    expect(JSON.stringify(summary.body)).toContain('Only agents');

    // The same clicks by an agent work: the check is the role, not the button.
    await t.inbox.slackEvents.threadMessage({ channel: INBOX, threadTs: card.ts, user: agentB.id, text: 'We are on it' });
    await eventually('the agent reply on X', () => t.x.posted.length === 1);
    expect(t.x.posted[0]).toMatchObject({ text: 'We are on it', inReplyTo: tweet.id });
  });

  it('refuses an agent at every incident action, so nothing reaches a customer or the public', async () => {
    await t.startAll({ acknowledge: true });
    await t.mention('login is broken again');
    // The spike alert's Declare button, on a real alert card.
    const [spike] = await t.inbox.h.s.db
      .insert(spikes)
      .values({ term: 'login', terms: ['login'], count: 30, expected: 2, peak: 30, channel: INBOX })
      .returning();
    const posted = await t.inbox.h.s.slack!.chat.postMessage({
      channel: INBOX,
      ...spikeAlert(spike!, { windowMinutes: 5, mentions: 30, samples: [] }),
    });
    const alert = t.slack.messages(INBOX).find((m) => m.ts === posted.ts)!;
    await t.inbox.slackEvents.clickInMessage(alert, agentB, actionIds.declareIncident);
    const command = await t.inbox.slackEvents.command('/carebot', 'incident', agentB, INBOX);
    expect(JSON.stringify(command.body)).toMatch(/Only leads \(`slack\.roles\.leads` .*\) and admins may declare incidents/);
    expect(t.slack.modals()).toHaveLength(0);

    // A declare form submitted by someone who is not (or no longer) a lead: refused, nothing stored.
    await t.inbox.slackEvents.command('/carebot', 'incident', agentA, INBOX);
    const form = await eventually('the lead’s form', () => t.slack.modals()[0]);
    const submitted = await t.inbox.slackEvents.submitView(form.id, agentB, {
      title: 'Login outage',
      keywords: 'login',
      public_text: 'Looking.',
    });
    expect(JSON.stringify(submitted.body)).toContain('Only leads');
    expect(await t.inbox.h.s.db.select().from(incidents)).toEqual([]);

    // The lead declares; the customer is acknowledged (that is the lead's call).
    const { card, preview } = await t.declare({
      title: 'Login outage',
      keywords: 'login',
      public_text: 'We are looking into sign-in problems.',
    });
    await eventually('the acknowledgement on X', () => t.x.posted.length === 1);

    for (const action of [actionIds.postUpdate, actionIds.resolveIncident]) {
      await t.inbox.slackEvents.clickInMessage(t.inbox.current(card), agentB, action);
    }
    await t.inbox.slackEvents.clickInMessage(preview, agentB, actionIds.broadcast);
    await t.inbox.slackEvents.clickInMessage(preview, agentB, actionIds.dontBroadcast);
    const told = await refusals(agentB.id, 5);
    expect(told.every((text) => text.startsWith('Only leads'))).toBe(true);

    // The resolve form, opened by the lead and submitted by the agent: refused, no follow-up stored.
    const opened = t.slack.modals().length;
    await t.inbox.slackEvents.clickInMessage(t.inbox.current(card), agentA, actionIds.resolveIncident);
    const resolveForm = await eventually('the resolve form', () => t.slack.modals().length > opened && t.slack.modals().at(-1));
    const resolved = await t.inbox.slackEvents.submitView(resolveForm.id, agentB, { public_text: 'Fixed!' });
    expect(JSON.stringify(resolved.body)).toContain('Only leads');

    const [incident] = await t.inbox.h.s.db.select().from(incidents);
    expect(incident!.state).toBe('investigating');
    expect((await t.inbox.h.s.db.select().from(replies)).map((r) => r.kind)).toEqual(['acknowledgement']);
    expect(t.x.posted).toHaveLength(1);
    const decided = await t.inbox.h.s.db.select().from(auditLog).where(eq(auditLog.action, 'broadcast.skip'));
    expect(decided).toEqual([]);
    expect((await denied(agentB.id)).filter((a) => a.action === 'denied')).toHaveLength(8);
  });

  it('with no roles configured: agents are the inbox members, leads the workspace admins and owners, never a guest', async () => {
    t.slack.addUser({ id: owner.id, name: owner.name, isOwner: true });
    t.slack.addUser({ id: guest.id, name: guest.name, guest: 'single' });
    await t.start(); // no slack.roles at all
    t.slack.addChannel({ id: INBOX, name: 'inbox', members: [agentA.id, agentB.id, guest.id] });
    const { card } = await t.mention('where is my parcel 88?');

    // A guest in the inbox channel is not an agent, and sees no customer text in App Home.
    await t.inbox.slackEvents.threadMessage({ channel: INBOX, threadTs: card.ts, user: guest.id, text: 'it is lost, sorry' });
    expect((await refusals(guest.id, 1))[0]).toMatch(/^Only agents/);
    await t.inbox.slackEvents.appHomeOpened(guest.id);
    expect(JSON.stringify(await eventually('the guest’s Home', () => t.slack.homeOf(guest.id)))).not.toContain('parcel');

    // An inbox member is an agent but not a lead; the owner (not in the channel) is both.
    await t.inbox.slackEvents
      .command('/carebot', 'incident', agentB, INBOX)
      .then((r) => expect(JSON.stringify(r.body)).toContain('Only leads'));
    await t.inbox.slackEvents.command('/carebot', 'incident', owner, INBOX);
    await eventually('the owner’s declare form', () => t.slack.modals().length === 1);
    await t.inbox.slackEvents.clickInMessage(t.inbox.current(card), owner, actionIds.assignMe);
    await eventually('assigned to the owner', async () => (await t.inbox.h.s.db.select().from(slackThreads))[0]!.assignee === owner.id);
  });

  it('fails closed: a deleted user, or Slack failing to answer who someone is, means no', async () => {
    t.slack.addUser({ id: 'U0GONE0001', name: 'gone', deleted: true });
    await t.start({ file: { slack: { roles: { agents: ['U0GONE0001', agentA.id] } } } });
    const { card } = await t.mention('refund please');
    await t.inbox.slackEvents.threadMessage({ channel: INBOX, threadTs: card.ts, user: 'U0GONE0001', text: 'done' });
    await refusals('U0GONE0001', 1);
    t.slack.failNext('users.info', { status: 500 }, 10);
    await t.inbox.slackEvents.clickInMessage(t.inbox.current(card), agentA, actionIds.resolve);
    expect((await refusals(agentA.id, 1))[0]).toMatch(/^Only agents/);
    expect((await t.inbox.h.s.db.select().from(slackThreads))[0]!.status).toBe('new');
    expect(t.x.posted).toEqual([]);
  });

  it('ships an example configuration that names every role', () => {
    const { roles } = loadConfig({ CAREBOT_CONFIG: 'config/carebot.example.yaml' }).file.slack;
    expect(Object.values(roles).every((ids) => ids.length > 0)).toBe(true);
  });

  it('names the setting that replaced slack.permissions', () => {
    const file = yaml('slack:\n  permissions: { reply: [U0AGENT001] }\n');
    expect(() => loadConfig({ CAREBOT_CONFIG: file })).toThrow(/slack\.permissions.*replaced by slack\.roles/);
  });
});
