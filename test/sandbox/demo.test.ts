// The sandbox in a real headless Chromium: the visitor acts on the page, the real carebot (its
// Bolt app on /slack/events, its workers, its connectors) does the rest against the fakes.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../sandbox/start.js';
import { createTestDb } from '../support/db.js';
import { CHROMIUM, hasChromium, launch, shot } from './browser.js';

if (!hasChromium) console.warn(`sandbox browser tests skipped: ${CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)`);

describe.skipIf(!hasChromium)('the sandbox page in Chromium', () => {
  let sandbox: Sandbox;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const db = await createTestDb('pglite');
    [sandbox, browser] = await Promise.all([
      startSandbox({ redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', pglite: db.pglite!, scenarioGapMs: 80 }),
      launch(),
    ]);
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await page.goto(sandbox.url);
  });
  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  it('a tweet becomes a card; the reply written in its thread reaches the customer on X, threaded', async () => {
    await page.getByLabel('Tweet as @').fill('jamie');
    await page.getByLabel('Tweet text').fill('my parcel never arrived and nobody answers my emails');
    // Keyboard only: from the text, Tab reaches the Tweet button and Enter presses it.
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').textContent()).toBe('Tweet');
    await page.keyboard.press('Enter');
    const customerTweet = page.locator('#x-timeline .post', { hasText: 'my parcel never arrived' });
    await customerTweet.waitFor();
    await shot(page, '01-customer-tweets');

    const card = page.locator('#messages article', { hasText: 'my parcel never arrived' });
    await card.waitFor({ timeout: 20_000 });
    await card.getByRole('button', { name: 'Reply', exact: true }).waitFor();
    await shot(page, '02-card-in-slack');

    await card.getByRole('button', { name: 'Reply in thread' }).click();
    await page.getByRole('textbox', { name: 'Reply in thread' }).fill('Sorry Jamie! Your parcel is on its way, tracking follows by DM.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.locator('#thread-messages', { hasText: 'Sent to the customer' }).waitFor({ timeout: 20_000 });
    await shot(page, '03-reply-in-thread');

    const reply = page.locator('#x-timeline .replies .post.brand', { hasText: 'Your parcel is on its way' });
    await reply.waitFor({ timeout: 20_000 });
    await shot(page, '04-reply-reaches-customer');
    // Threaded under the customer's tweet, and sent once.
    const replyTo = sandbox.world.x.posted.filter((p) => p.text.includes('Your parcel is on its way'));
    expect(replyTo).toHaveLength(1);
    expect(replyTo[0]!.inReplyTo).toBe(sandbox.people.tweets.find((t) => t.text.includes('my parcel never arrived'))!.id);
  });

  it('a Discord DM is answered from the Reply modal with a canned reply, and the customer gets it once', async () => {
    await page.getByLabel('Write as').fill('robin');
    await page.getByLabel('Discord message').fill('Hello, where is my refund for the cancelled order?');
    await page.getByRole('button', { name: 'Send on Discord' }).click();
    const card = page.locator('#messages article', { hasText: 'where is my refund' });
    await card.waitFor({ timeout: 20_000 });

    await card.getByRole('button', { name: 'Reply', exact: true }).click();
    const modal = page.getByRole('dialog');
    await modal.getByLabel('Use a canned reply…').selectOption({ label: 'Looking into it' });
    await expect.poll(() => modal.getByLabel('Your reply').inputValue(), { timeout: 10_000 }).toContain('Hi @robin');
    await shot(page, '05-reply-modal');
    await modal.getByRole('button', { name: 'Send' }).click();
    await modal.waitFor({ state: 'hidden' });

    await page.locator('#discord-channels .post.brand', { hasText: 'We are looking into it' }).waitFor({ timeout: 20_000 });
    await shot(page, '06-discord-reply');
    const dm = sandbox.people.discordMessages.find((m) => m.content.includes('where is my refund'))!;
    const sent = sandbox.world.discord.sent.filter((m) => m.channelId === dm.channelId);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.messageReference?.message_id).toBe(dm.id);
  });

  it('refuses a bad customer post with the reason, and stores nothing', async () => {
    const before = sandbox.people.tweets.length;
    const res = await page.request.post(new URL('api/x/tweet', sandbox.url).href, { data: { username: 'not a handle', text: 'hi' } });
    expect(res.status()).toBe(400);
    expect((await res.json()).error).toMatch(/username: a handle is/);
    expect(sandbox.people.tweets).toHaveLength(before);
  });

  it("App Home shows the visitor's inbox; its Refresh button is answered", async () => {
    await page.getByRole('button', { name: /carebot\s*Home/ }).click();
    await page.locator('#messages .b-header', { hasText: 'carebot inbox' }).waitFor({ timeout: 10_000 });
    const published = () => sandbox.world.slack.calls.filter((c) => c.method === 'views.publish').length;
    const before = published();
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(published, { timeout: 10_000 }).toBeGreaterThan(before);
    expect(await page.locator('#messages').textContent()).toMatch(/Today: \d+ mentions/);
    await page.getByRole('button', { name: /# customer-care/ }).click();
  });

  it('the outage scenario raises one alert in #outages', async () => {
    await page.getByRole('button', { name: 'Play scenario' }).click();
    const alerts = page.getByRole('button', { name: /# outages/ });
    await expect.poll(() => sandbox.scenario.status().steps.join('\n'), { timeout: 60_000, interval: 250 }).toMatch(/carebot raised the alert/);
    await alerts.click();
    const alert = page.locator('#messages article', { hasText: 'Possible outage' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain("'login'");
    await alert.getByRole('button', { name: 'Declare incident' }).waitFor();
    await shot(page, '07-outage-alert');
    expect(sandbox.world.slack.messages('C0OUTAGES1').filter((m) => !m.thread_ts)).toHaveLength(1);
  }, 90_000);
});
