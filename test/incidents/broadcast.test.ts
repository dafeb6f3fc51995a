import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog, broadcasts } from '../../src/db/schema.js';
import { INBOX, agentA, agentB } from '../slack/inbox-harness.js';
import { dbKinds } from '../support/db.js';
import { eventually } from '../support/services.js';
import { incidentSuite } from './incident-harness.js';

describe.each(dbKinds)('incidents from Slack: declare, preview, broadcast (%s)', (kind) => {
  const t = incidentSuite(kind);

  it('declares, previews, broadcasts once to X and Discord on confirm by an allowed user, and threads the next update under the first', async () => {
    await t.startAll();
    const { card, preview } = await t.declare({
      title: 'Login outage',
      keywords: 'login, sign in',
      components: 'auth, mobile app',
      public_text: 'We are investigating problems signing in.',
    });
    expect(card.text).toContain('Login outage — Investigating');
    expect(JSON.stringify(preview.blocks)).toContain('X: 41/280 characters');
    expect(t.x.posted).toHaveLength(0); // a preview posts nothing publicly

    // Not allowed: refused, nothing posted.
    await t.inbox.slackEvents.clickInMessage(preview, agentB, 'carebot.incident_broadcast');
    const refusal = await t.slack.waitFor((c) => c.method === 'chat.postEphemeral' && c.body.user === agentB.id);
    expect(String(refusal.body.text)).toMatch(/^Only leads .* may decide what is broadcast. Nothing was done.$/);

    // A double click: both presses arrive, one broadcast per network.
    await Promise.all([1, 2].map(() => t.inbox.slackEvents.clickInMessage(preview, agentA, 'carebot.incident_broadcast')));
    const results = await eventually('the broadcast results', () =>
      t.thread(card).find((m) => m.text.includes('Discord:') && m.text.includes('X:')),
    );
    expect(results.text).toMatch(/:white_check_mark: X: <http[^|]+\|posted>/);
    expect(t.x.posted).toEqual([{ id: expect.any(String), text: 'We are investigating problems signing in.' }]);
    const announcements = t.discord.channelId('announcements');
    expect(t.discord.sent.filter((m) => m.channelId === announcements)).toHaveLength(1);
    expect(t.discord.crossposted).toHaveLength(1);
    expect(t.inbox.current(preview).text).toBe(preview.text);
    expect(JSON.stringify(t.inbox.current(preview).blocks)).toContain(`Broadcast — <@${agentA.id}>`);

    // An update: the state in the card's header, its own preview, threaded under the first tweet.
    await t.inbox.slackEvents.clickInMessage(t.inbox.current(card), agentA, 'carebot.incident_post_update');
    await eventually('the update modal', () => t.slack.modals().length === 2);
    const res = await t.inbox.slackEvents.submitView(t.lastModal().id, agentA, {
      state: 'identified',
      public_text: 'We found the cause of the sign-in problems.',
    });
    expect(res.status).toBe(200);
    await eventually('the card to show the new state', () => t.inbox.current(card).text.includes('— Identified'));
    const second = await eventually('the second preview', () => t.thread(card).find((m) => m.text.startsWith('Update (Identified)')));
    await t.inbox.slackEvents.clickInMessage(second, agentA, 'carebot.incident_broadcast');
    await eventually('the second tweet', () => t.x.posted.length === 2);
    expect(t.x.posted[1]).toMatchObject({ text: 'We found the cause of the sign-in problems.', inReplyTo: t.x.posted[0]!.id });
    await eventually('the second announcement, crossposted', () => t.discord.crossposted.length === 2);
    const sent = t.discord.sent.filter((m) => m.channelId === announcements);
    expect(sent[1]).toMatchObject({
      content: 'We found the cause of the sign-in problems.',
      messageReference: { message_id: sent[0]!.id },
    });

    // Every broadcast row is stored once, and audited.
    // The row is settled just after the network answers, so the crosspost can be seen a moment before it.
    const rows = await eventually('every broadcast row settled', async () => {
      const all = await t.inbox.h.s.db.select().from(broadcasts);
      return all.every((r) => r.state !== 'sending') && all;
    });
    expect(rows.map((r) => [r.platform, r.state]).sort()).toEqual([
      ['discord', 'sent'],
      ['discord', 'sent'],
      ['twitter', 'sent'],
      ['twitter', 'sent'],
    ]);
    const audited = await t.inbox.h.s.db.select().from(auditLog).where(eq(auditLog.action, 'broadcast'));
    expect(audited).toHaveLength(4);
    expect(audited.every((a) => a.actor === agentA.id && a.subjectType === 'incident')).toBe(true);
  });

  it('catches a message too long for X at the preview: no Broadcast button, nothing sent', async () => {
    await t.startAll();
    const { preview } = await t.declare({ title: 'Payments down', public_text: 'x'.repeat(300) });
    expect(JSON.stringify(preview.blocks)).toContain('Too long for X: 300 characters, the limit is 280');
    expect(JSON.stringify(preview.blocks)).not.toContain('carebot.incident_broadcast');
    await t.inbox.slackEvents.clickInMessage(preview, agentA, 'carebot.incident_dont_broadcast');
    await eventually('the preview to say it was kept back', () =>
      JSON.stringify(t.inbox.current(preview).blocks).includes('Not broadcast'),
    );
    expect(t.x.posted).toHaveLength(0);
    expect(t.discord.sent).toHaveLength(0);
  });

  it('answers an empty title with the modal errors Slack shows', async () => {
    await t.startAll();
    await t.inbox.slackEvents.command('/carebot', 'incident', agentA, INBOX);
    await eventually('the incident modal', () => t.slack.modals().length === 1);
    const modal = t.slack.view(t.lastModal().id) as { blocks: Array<{ label?: { text: string } }> };
    expect(modal.blocks.map((b) => b.label?.text)).toEqual(['Title', 'Affected components', 'Keywords', 'First public message']);
    const res = await t.inbox.slackEvents.submitView(t.lastModal().id, agentA, { title: '   ', public_text: 'Something' });
    expect(res.body).toEqual({ response_action: 'errors', errors: { title: 'Give the incident a title.' } });
    expect(t.slack.messages(INBOX)).toHaveLength(0);
  });
});
