import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpApp, listen } from '../../src/http/server.js';
import { mountStatusPage } from '../../src/http/status-page.js';
import { storeFollowUps } from '../../src/incidents/follow-ups.js';
import { addUpdate, decide, declareIncident } from '../../src/incidents/store.js';
import { createHarness, type Harness } from '../support/services.js';

const LEAD = 'U0LEAD0001';

// Finding 2 of issue 16: updates kept from broadcast (or not yet decided) were on the public page,
// although the modal promises that nothing is public before someone presses Broadcast.
describe('the public status page shows only what was broadcast', () => {
  let h: Harness;
  let server: Server;
  afterEach(async () => {
    server?.close();
    await h?.close();
  });

  it('never shows an update kept back or not yet decided, nor an incident with nothing broadcast', async () => {
    h = await createHarness('pglite');
    server = await listen(createHttpApp(h.s, [mountStatusPage(h.s)]), 0);
    const declare = (title: string, publicText: string) =>
      declareIncident(h.s.db, { title, components: [], keywords: [], publicText, user: LEAD, channel: 'C0STATUS01' });
    const update = async (incidentId: number, state: 'identified' | 'resolved', publicText: string) =>
      (await addUpdate(h.s.db, incidentId, { state, publicText, user: LEAD }, (tx, i) => storeFollowUps(h.s, tx, i)))!.update;

    const quiet = await declare('Internal: database failover', 'Kept back: the primary is down.');
    await decide(h.s.db, quiet.update.id, 'skipped', LEAD);
    await declare('Undecided', 'Not decided yet: payments provider is flaky.');
    const told = await declare('Login outage', 'We are investigating problems signing in.');
    await decide(h.s.db, told.update.id, 'broadcast', LEAD);
    const secret = await update(told.incident.id, 'identified', 'Kept back: the SSO vendor leaked keys.');
    await decide(h.s.db, secret.id, 'skipped', LEAD);
    await update(told.incident.id, 'resolved', 'Not decided yet: fixed.');

    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const report = await (await fetch(`${base}/status.json`)).json();
    // Its resolution was not broadcast: to the public it is still being investigated.
    expect(report).toEqual({
      status: 'incident',
      incidents: [
        expect.objectContaining({
          title: 'Login outage',
          state: 'investigating',
          resolvedAt: null,
          updates: [expect.objectContaining({ state: 'investigating', text: 'We are investigating problems signing in.' })],
        }),
      ],
    });
    const html = await (await fetch(`${base}/status`)).text();
    for (const hidden of ['Kept back', 'Not decided', 'Internal', 'Undecided']) {
      expect(JSON.stringify(report)).not.toContain(hidden);
      expect(html).not.toContain(hidden);
    }
  });
});
