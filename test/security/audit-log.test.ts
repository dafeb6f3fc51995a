import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/app/commands/errors.js';
import { runAuditCommand } from '../../src/app/commands/audit.js';
import { audit } from '../../src/db/audit.js';
import { openDatabase } from '../../src/db/open.js';
import { auditLog } from '../../src/db/schema.js';
import { incidentSuite } from '../incidents/incident-harness.js';
import { INBOX, agentA } from '../slack/inbox-harness.js';
import { eventually } from '../support/services.js';

// Issue 16: declare / update / resolve / don't-broadcast and the system's acknowledgements and
// follow-ups were not in the audit log, and nothing could read it.
describe('the audit log: every action that reaches a customer or the public, readable by admins', () => {
  const t = incidentSuite('pglite');
  const admin = { id: 'U0ADMIN001', name: 'ada' };

  it('records the lead’s incident actions and carebot’s own replies, and shows them to an admin only', async () => {
    t.slack.addUser({ id: admin.id, name: admin.name, isAdmin: true });
    // X's pace (10 replies a minute) would hold the follow-up behind the acknowledgement for seconds.
    await t.startAll({ acknowledge: true, repliesPerMinute: { twitter: 6000, discord: 6000 } });
    await t.mention('checkout fails with error 500');
    const { card, preview } = await t.declare({
      title: 'Checkout down',
      keywords: 'checkout',
      public_text: 'Checkout is failing for some.',
    });
    await t.inbox.slackEvents.clickInMessage(preview, agentA, 'carebot.incident_dont_broadcast');
    await t.inbox.slackEvents.clickInMessage(t.inbox.current(card), agentA, 'carebot.incident_resolve');
    await eventually('the resolve form', () => t.slack.modals().length === 2);
    await t.inbox.slackEvents.submitView(t.slack.modals()[1]!.id, agentA, { public_text: 'Checkout works again.' });
    await eventually('acknowledgement and follow-up sent', () => t.x.posted.length === 2);

    const log = async () => (await t.inbox.h.s.db.select().from(auditLog)).map((a) => `${a.actor} ${a.action} ${a.subjectType}`);
    await eventually('the follow-up audited', async () => (await log()).some((l) => l.includes('follow-up')));
    expect(await log()).toEqual(
      expect.arrayContaining([
        `${agentA.id} incident.declare incident`,
        'system acknowledgement reply',
        `${agentA.id} broadcast.skip update`,
        `${agentA.id} incident.resolve incident`,
        'system follow-up reply',
      ]),
    );

    // A lead is not an admin.
    const refused = await t.inbox.slackEvents.command('/carebot', 'audit', agentA, INBOX);
    expect(JSON.stringify(refused.body)).toContain('Only admins');
    const shown = await t.inbox.slackEvents.command('/carebot', `audit 1h <@${agentA.id}|ana> incident.declare`, admin, INBOX);
    const answer = (shown.body as { text: string }).text;
    expect(answer).toMatch(/^\*Audit log since /);
    expect(answer).toContain(`<@${agentA.id}> · *incident.declare* · incident`);
    expect(answer).not.toContain('acknowledgement');
    expect(answer).toContain('Checkout down');
    const bad = await t.inbox.slackEvents.command('/carebot', 'audit yesterday', admin, INBOX);
    expect((bad.body as { text: string }).text).toMatch(/^`yesterday` is not a time/);
    // Reading the log is logged, and so is the refusal.
    expect(await log()).toEqual(expect.arrayContaining([`${admin.id} audit.read audit`, `${agentA.id} denied audit`]));
  });

  it('`carebot audit` writes the log as JSON Lines, filtered, and says what is wrong with a filter', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'carebot-audit-'));
    try {
      const database = await openDatabase({ dataDir });
      await database.migrate();
      await audit(database.db, 'U0LEAD0001', 'incident.declare', { type: 'incident', id: 1 }, { title: 'Outage' });
      await audit(database.db, 'system', 'follow-up', { type: 'reply', id: 7 }, { incidentId: 1 });
      await database.close();

      const run = async (opts: { since?: string; actor?: string; action?: string }) => {
        const out = new PassThrough();
        const done = text(out);
        await runAuditCommand({ ...opts, database: { dataDir }, stdout: out });
        out.end();
        return (await done)
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l));
      };
      expect((await run({})).map((r) => r.action)).toEqual(['incident.declare', 'follow-up']);
      expect(await run({ actor: 'system' })).toEqual([
        expect.objectContaining({ action: 'follow-up', subjectId: '7', detail: { incidentId: 1 } }),
      ]);
      // The two reads above are in the log now.
      expect((await run({ action: 'audit.read' })).map((r) => r.actor)).toEqual(['cli', 'cli']);
      await expect(run({ since: 'last week' })).rejects.toThrow(
        new UsageError("--since 'last week': expected 30m, 24h, 7d or an ISO date such as 2026-12-01"),
      );
      await expect(run({ action: 'delete' })).rejects.toThrow(/^--action 'delete': expected one of reply, /);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
