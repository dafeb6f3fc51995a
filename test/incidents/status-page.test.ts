import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { incidents, type IncidentState } from '../../src/db/schema.js';
import { createHttpApp, listen } from '../../src/http/server.js';
import { mountStatusPage } from '../../src/http/status-page.js';
import { storeFollowUps } from '../../src/incidents/follow-ups.js';
import { statusUrl } from '../../src/incidents/settings.js';
import { MAX_INCIDENTS } from '../../src/incidents/status-report.js';
import { addUpdate, decide, declareIncident } from '../../src/incidents/store.js';
import { configFiles } from '../support/config-file.js';
import { dbKinds } from '../support/db.js';
import { createHarness, type Harness } from '../support/services.js';

const CHANNEL = 'C0SECRETCH';
const AGENT = 'U0SECRETAG';
const KEYWORD = 'zzinternalkeyword';

describe.each(dbKinds)('public status page (%s)', (kind) => {
  const yaml = configFiles();
  let h: Harness;
  let server: Server;
  let base: string;
  afterEach(async () => {
    server?.close();
    await h?.close();
  });

  const serve = async () => {
    const file = yaml('brand: { name: "Acme & Co" }\nincidents: { publicUrl: "https://care.example.com/" }\n');
    h = await createHarness(kind, { CAREBOT_CONFIG: file });
    server = await listen(createHttpApp(h.s, [mountStatusPage(h.s)]), 0);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  // Each update is broadcast, as a lead would: the page shows only what was (kept-back ones: test/security/status-kept-back).
  const declare = async (title: string, publicText: string, components: string[] = []) => {
    const { incident, update } = await declareIncident(h.s.db, {
      title,
      components,
      keywords: [KEYWORD],
      publicText,
      user: AGENT,
      channel: CHANNEL,
    });
    await decide(h.s.db, update.id, 'broadcast', AGENT);
    return incident.id;
  };
  const update = async (id: number, state: IncidentState, publicText: string) => {
    const added = await addUpdate(h.s.db, id, { state, publicText, user: AGENT }, (tx, i) => storeFollowUps(h.s, tx, i));
    await decide(h.s.db, added!.update.id, 'broadcast', AGENT);
  };
  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`);
    return { res, body: await res.text() };
  };

  it('says all systems are operational when nothing is open, with a short public cache', async () => {
    await serve();
    const json = await get('/status.json');
    expect(json.res.status).toBe(200);
    expect(json.res.headers.get('cache-control')).toBe('public, max-age=30');
    expect(JSON.parse(json.body)).toEqual({ status: 'operational', incidents: [] });

    const html = await get('/status');
    expect(html.res.status).toBe(200);
    expect(html.res.headers.get('content-type')).toMatch(/^text\/html; charset=utf-8/);
    expect(html.res.headers.get('cache-control')).toBe('public, max-age=30');
    expect(html.body).toContain('<h1>Acme &amp; Co status</h1>');
    expect(html.body).toContain('All systems operational');
    expect(html.body).toContain('No incidents in the last 90 days.');
    expect(html.body).not.toContain('Current incidents');
  });

  it('lists open incidents first, then those resolved in the last 90 days, each with its updates newest first and nothing internal', async () => {
    await serve();
    const old = await declare('Old outage', 'Long ago.');
    await update(old, 'resolved', 'Fixed long ago.');
    await h.s.db
      .update(incidents)
      .set({ resolvedAt: new Date(Date.now() - 91 * 86_400_000) })
      .where(eq(incidents.id, old));
    const login = await declare('Login outage', 'We are investigating problems signing in.', ['login', 'app']);
    // Declared after the login outage, listed after it: open ones come first.
    const past = await declare('Payments failing', 'We are looking into failed payments.', ['payments']);
    await update(past, 'identified', 'A card processor is down.');
    await update(past, 'resolved', 'Payments work again.');
    await update(login, 'monitoring', 'A fix is out; we are watching.');
    const search = await declare('Slow search', 'Search is slow.');

    const { res, body } = await get('/status.json');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const report = JSON.parse(body);
    const iso = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(report).toEqual({
      status: 'incident',
      incidents: [
        {
          id: search,
          title: 'Slow search',
          state: 'investigating',
          components: [],
          startedAt: iso,
          resolvedAt: null,
          updates: [{ state: 'investigating', text: 'Search is slow.', at: iso }],
        },
        {
          id: login,
          title: 'Login outage',
          state: 'monitoring',
          components: ['login', 'app'],
          startedAt: iso,
          resolvedAt: null,
          updates: [
            { state: 'monitoring', text: 'A fix is out; we are watching.', at: iso },
            { state: 'investigating', text: 'We are investigating problems signing in.', at: iso },
          ],
        },
        {
          id: past,
          title: 'Payments failing',
          state: 'resolved',
          components: ['payments'],
          startedAt: iso,
          resolvedAt: iso,
          updates: [
            { state: 'resolved', text: 'Payments work again.', at: iso },
            { state: 'identified', text: 'A card processor is down.', at: iso },
            { state: 'investigating', text: 'We are looking into failed payments.', at: iso },
          ],
        },
      ],
    });
    const payments = report.incidents[2];
    expect(Date.parse(payments.resolvedAt)).toBeGreaterThanOrEqual(Date.parse(payments.startedAt));
    expect(Date.parse(payments.updates[0].at)).toBeGreaterThanOrEqual(Date.parse(payments.updates[2].at));

    const html = (await get('/status')).body;
    for (const internal of [CHANNEL, AGENT, KEYWORD]) {
      expect(body).not.toContain(internal);
      expect(html).not.toContain(internal);
    }
    expect(html).not.toContain('Old outage');
    expect(html).toContain('2 incidents are under way');
    const [current, resolved] = html.split('<h2>Past incidents</h2>');
    expect(current).toContain('<h2>Current incidents</h2>');
    expect(current!.indexOf('Slow search')).toBeLessThan(current!.indexOf('Login outage'));
    expect(current!.indexOf('A fix is out')).toBeLessThan(current!.indexOf('We are investigating problems'));
    expect(resolved).toContain('<h3>Payments failing</h3>');
    expect(resolved).toContain('Affected: payments');
    expect(resolved).toContain(
      `resolved <time datetime="${payments.resolvedAt}">${payments.resolvedAt.slice(0, 16).replace('T', ' ')} UTC</time>`,
    );
  });

  it('escapes everything Slack users typed', async () => {
    await serve();
    await declare('<script>alert(1)</script>', 'Broken "quotes" & <img src=x onerror=alert(2)>', ['<b>api</b>']);
    const { res, body } = await get('/status');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(body).toContain('<h3>&lt;script&gt;alert(1)&lt;/script&gt;</h3>');
    expect(body).toContain('Broken &quot;quotes&quot; &amp; &lt;img src=x onerror=alert(2)&gt;');
    expect(body).toContain('Affected: &lt;b&gt;api&lt;/b&gt;');
    expect(body).not.toMatch(/<script|<img|<b>/);
    expect(body).toContain('An incident is under way');
  });

  it('lists at most MAX_INCIDENTS, the open ones always', async () => {
    await serve();
    const open = await declare('Still open', 'x');
    for (let n = 0; n < MAX_INCIDENTS; n++) await update(await declare(`Past ${n}`, 'x'), 'resolved', 'fixed');
    const report = JSON.parse((await get('/status.json')).body);
    expect(report.incidents).toHaveLength(MAX_INCIDENTS);
    expect(report.incidents[0].id).toBe(open);
    expect(report.incidents[1].title).toBe(`Past ${MAX_INCIDENTS - 1}`);
  });

  it('is where {{status_url}} points', async () => {
    await serve();
    const url = new URL(statusUrl(h.s));
    expect(url.href).toBe('https://care.example.com/status');
    expect((await get(url.pathname)).body).toContain('All systems operational');
  });
});
