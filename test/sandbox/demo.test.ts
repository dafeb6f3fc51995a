// The sandbox in a real headless Chromium: the visitor acts on the page, the real carebot (its
// Bolt app on /slack/events, its workers, its connectors) does the rest against the fakes.
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { whileAlerted, whileDeclared } from '../../sandbox/incident-story.js';
import { outageCustomers } from '../../sandbox/scenario.js';
import { startSandbox, type Sandbox } from '../../sandbox/start.js';
import type { Moment } from '../../sandbox/story.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { CHROMIUM, hasChromium, launch, shot } from './browser.js';
import { INBOX } from '../../sandbox/world.js';

if (!hasChromium) console.warn(`sandbox browser tests skipped: ${CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)`);

describe.skipIf(!hasChromium)('the sandbox page in Chromium', () => {
  let sandbox: Sandbox;
  let browser: Browser;
  let page: Page;
  let db: TestDb;
  // The scenario waits at each of its moments for the test to look (and take a screenshot).
  let onBeat: (moment: Moment) => Promise<void> = async () => {};

  beforeAll(async () => {
    db = await createTestDb('pglite');
    [sandbox, browser] = await Promise.all([
      startSandbox({
        redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        pglite: db.pglite!,
        scenarioGapMs: 80,
        scenarioBeat: (m) => onBeat(m),
      }),
      launch(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });
  // Each test opens the page afresh, as a new visitor would: where the page looks, what has focus
  // and what is open are its own, never what the test before left. It starts in the inbox
  // channel with no thread open (a page opened after the scenario first turns to where it acted).
  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await page.goto(sandbox.url);
    await page.getByRole('button', { name: /# customer-care/ }).click();
    if (await page.locator('#thread').isVisible()) await page.getByRole('button', { name: 'Close thread' }).click();
    await page.locator('#thread').waitFor({ state: 'hidden' });
  });
  afterEach(async () => {
    onBeat = async () => {};
    await page?.close();
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

  it("the customer answers the brand's reply with the page's Reply button, and the answer joins the same card's thread", async () => {
    // X delivers the text HTML-encoded (& < >); the card shows it as typed: decoded once, so the
    // "&amp;" the customer typed stays "&amp;" and the "<" and "&" stay themselves.
    const typed = 'invoice 3391 bills 5 seats but we have < 4 & the PDF says R&amp;D';
    await page.getByLabel('Tweet as @').fill('priya');
    await page.getByLabel('Tweet text').fill(typed);
    await page.getByRole('button', { name: 'Tweet', exact: true }).click();
    const card = page.locator('#messages article', { hasText: 'invoice 3391' });
    await card.waitFor({ timeout: 20_000 });
    expect(await card.textContent()).toContain(typed);
    const tweet = sandbox.people.tweets.find((t) => t.text.includes('invoice 3391'))!;
    const stored = await db.pglite!.query<{ text: string }>('select text from mentions where external_id = $1', [tweet.id]);
    expect(stored.rows[0]?.text).toContain(typed);

    await card.getByRole('button', { name: 'Reply in thread' }).click();
    await page.getByRole('textbox', { name: 'Reply in thread' }).fill('Sorry Priya! Which card did we charge: the one ending 4410?');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.locator('#thread-messages', { hasText: 'Sent to the customer' }).waitFor({ timeout: 20_000 });
    const brandReply = page.locator('#x-timeline .replies .post.brand', { hasText: 'the one ending 4410' });
    await brandReply.waitFor({ timeout: 20_000 });

    const cards = () => sandbox.world.slack.messages(INBOX).filter((m) => !m.thread_ts || m.thread_ts === m.ts);
    const cardsBefore = cards().length;
    await brandReply.getByRole('button', { name: 'Reply', exact: true }).click();
    // As the customer the brand answered, replying to the brand's tweet.
    expect(await page.getByLabel('Tweet as @').inputValue()).toBe('priya');
    expect(await page.locator('#tweet-replying').textContent()).toContain('Replying to @acme');
    await page.getByLabel('Tweet text').fill('yes that one, ending 4410');
    await page.getByRole('button', { name: 'Tweet', exact: true }).click();
    await page.locator('#x-timeline .replies .replies .post', { hasText: 'yes that one, ending 4410' }).waitFor();
    await page.locator('#thread-messages article', { hasText: 'yes that one, ending 4410' }).waitFor({ timeout: 20_000 });
    await shot(page, '14-customer-answers-the-reply');

    // On X, an answer to the brand's reply; in Slack, a message in the card's thread and no card of its own.
    const brandTweet = sandbox.world.x.posted.find((p) => p.text.includes('the one ending 4410'))!;
    expect(sandbox.people.tweets.find((t) => t.text.includes('yes that one'))?.inReplyTo).toBe(brandTweet.id);
    const root = cards().find((m) => JSON.stringify(m.blocks).includes('invoice 3391'))!;
    const answers = sandbox.world.slack.messages(INBOX).filter((m) => JSON.stringify([m.text, m.blocks]).includes('yes that one'));
    expect(answers.map((m) => m.thread_ts)).toEqual([root.ts]);
    expect(cards()).toHaveLength(cardsBefore);
  });

  it('an X DM becomes a card marked direct message; the reply in its thread reaches the customer as a DM, once', async () => {
    // Encoded by X as a tweet is, and shown as typed ("&amp;" included).
    const typed = 'please move my account to my new address & drop the old <work> one, it says Lee &amp; Co';
    await page.getByLabel('Tweet as @').fill('dana');
    await page.getByLabel('Send as a direct message').check();
    await page.getByLabel('Tweet text').fill(typed);
    await page.getByRole('button', { name: 'Send DM' }).click();
    const dms = page.locator('#x-dms');
    await dms.locator('.post', { hasText: 'move my account to my new address' }).waitFor();
    // Private: nothing of it on the public timeline.
    expect(await page.locator('#x-timeline').textContent()).not.toContain('move my account');

    const card = page.locator('#messages article', { hasText: 'move my account to my new address' });
    await card.waitFor({ timeout: 20_000 });
    expect(await card.textContent()).toContain('🔒 direct message');
    expect(await card.textContent()).toContain(typed);

    await card.getByRole('button', { name: 'Reply in thread' }).click();
    await page.getByRole('textbox', { name: 'Reply in thread' }).fill('Done, Dana: your new address is on the account now.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.locator('#thread-messages', { hasText: 'Sent to the customer' }).waitFor({ timeout: 20_000 });
    await dms.locator('.post.brand', { hasText: 'your new address is on the account' }).waitFor({ timeout: 20_000 });
    await shot(page, '15-x-direct-message');

    const dm = sandbox.people.dms.find((d) => d.text === typed)!;
    const sent = sandbox.world.x.dmsSent.filter((d) => d.text.includes('your new address is on the account'));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.to).toBe(dm.senderId);
    expect(sandbox.world.x.posted.some((p) => p.text.includes('your new address'))).toBe(false);
  });

  it('a Discord message with a photo: the card lists the file by its name, linked to where Discord keeps it', async () => {
    await page.getByLabel('Write as').fill('mason');
    await page.getByLabel('Mention in #general').check();
    await page.getByLabel('Attach a photo').check();
    await page.getByLabel('Discord message').fill('the box arrived crushed, see the photo');
    await page.getByRole('button', { name: 'Send on Discord' }).click();
    const post = page.locator('#discord-channels .post', { hasText: 'the box arrived crushed' });
    await post.locator('.file-name', { hasText: 'photo-of-the-box.jpg' }).waitFor();
    // The page names the file and never fetches it: no link on the customers' side.
    expect(await post.getByRole('link').count()).toBe(0);

    const card = page.locator('#messages article', { hasText: 'the box arrived crushed' });
    await card.waitFor({ timeout: 20_000 });
    const link = card.getByRole('link', { name: 'photo-of-the-box.jpg' });
    await link.waitFor();
    const message = sandbox.people.discordMessages.find((m) => m.content.includes('the box arrived crushed'))!;
    expect(await link.getAttribute('href')).toMatch(
      new RegExp(`^https://cdn\\.discordapp\\.com/attachments/${message.channelId}/\\d+/photo-of-the-box\\.jpg$`),
    );
    await shot(page, '16-discord-attachment');

    // A photo alone is a message too: its card says there are no words and still links the file.
    await page.getByLabel('Direct message to the bot').check();
    await page.getByLabel('Attach a photo').check();
    await page.getByRole('button', { name: 'Send on Discord' }).click();
    const photoOnly = page.locator('#messages article', { hasText: '(no text)' }).filter({ hasText: '@mason' });
    await photoOnly.getByRole('link', { name: 'photo-of-the-box.jpg' }).waitFor({ timeout: 20_000 });
  });

  it('refuses a bad customer post with the reason, and stores nothing', async () => {
    const counts = () => [
      sandbox.people.tweets.length,
      sandbox.people.dms.length,
      sandbox.people.discordMessages.length,
      sandbox.world.x.dmsSent.length,
    ];
    const before = counts();
    const refused = async (path: string, data: object, reason: RegExp) => {
      const res = await page.request.post(new URL(`api/${path}`, sandbox.url).href, { data });
      expect(res.status()).toBe(400);
      expect((await res.json()).error).toMatch(reason);
    };
    await refused('x/tweet', { username: 'not a handle', text: 'hi' }, /username: a handle is/);
    await refused('x/dm', { username: 'dana', text: 'x'.repeat(10_001) }, /^text: /);
    await refused('x/dm', { username: 'dana', text: '   ' }, /^text: /);
    await refused('x/dm', { username: 'dana', text: 'hi', inReplyTo: '1' }, /inReplyTo/);
    await refused('discord/message', { username: 'robin', text: ' ', where: 'dm' }, /text: write something or attach the photo/);
    await refused('discord/message', { username: 'robin', text: 'hi', where: 'dm', attachment: 'yes' }, /^attachment: /);
    expect(counts()).toEqual(before);
  });

  it("App Home shows the visitor's inbox; its Refresh button is answered", async () => {
    await page.getByRole('button', { name: /carebot\s*Home/ }).click();
    await page.locator('#messages .b-header', { hasText: 'carebot inbox' }).waitFor({ timeout: 10_000 });
    const published = () => sandbox.world.slack.calls.filter((c) => c.method === 'views.publish').length;
    const before = published();
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(published, { timeout: 10_000 }).toBeGreaterThan(before);
    expect(await page.locator('#messages').textContent()).toMatch(/Today: \d+ mentions/);
  });

  it('a modal is used with the keyboard: focus moves into it, Escape closes it and focus comes back', async () => {
    const composer = page.getByLabel(/Message the channel/);
    await composer.fill('/carebot incident');
    await composer.press('Enter');
    const modal = page.getByRole('dialog', { name: 'Declare incident' });
    await modal.waitFor();
    await expect.poll(() => page.locator('dialog :focus').count()).toBe(1);
    expect(await page.locator(':focus').getAttribute('id')).toBe(await modal.getByLabel('Title').getAttribute('id'));
    await page.keyboard.press('Escape');
    await modal.waitFor({ state: 'hidden' });
    expect(sandbox.pane.openModals()).toHaveLength(0);
    await expect.poll(() => page.locator('#channel-text:focus').count()).toBe(1);
  });

  /** What the page shows at each moment of the outage scenario (the nth time it comes), and its screenshot. */
  const beats: Partial<Record<Moment, (nth: number) => Promise<void>>> = {
    alert: async () => {
      const alert = page.locator('#messages article', { hasText: 'Possible outage' });
      await alert.getByRole('button', { name: 'Declare incident' }).waitFor();
      expect(await alert.textContent()).toContain("'login'");
      await shot(page, '07-outage-alert');
    },
    'declare-modal': async () => {
      const modal = page.getByRole('dialog', { name: 'Declare incident' });
      await expect.poll(() => modal.getByLabel('Title').inputValue()).toBe('Customers cannot log in');
      await shot(page, '08-declare-incident', { fullPage: false });
    },
    preview: async (nth) => {
      if (nth > 1) return;
      await page
        .locator('#thread-messages article', { hasText: 'Update (Investigating)' })
        .getByRole('button', { name: 'Broadcast', exact: true })
        .waitFor();
      await shot(page, '09-update-preview');
    },
    broadcast: async (nth) => {
      if (nth > 1) return;
      await page.locator('#x-timeline .post.brand', { hasText: 'having trouble with login' }).waitFor();
      await page.locator('.discord-channel', { hasText: '#announcements' }).locator('.post.brand').waitFor();
      await shot(page, '10-broadcast-on-x-and-discord');
    },
    linked: async () => {
      await page.locator('#thread-messages', { hasText: "more about 'Customers cannot log in'" }).waitFor();
      await shot(page, '11-linked-customers');
    },
    'resolve-modal': async () => {
      const modal = page.getByRole('dialog', { name: 'Resolve incident' });
      expect(await modal.getByLabel('State').inputValue()).toBe('resolved');
      await shot(page, '12-resolve-modal', { fullPage: false });
    },
    'follow-ups': async () => {
      await page.locator('#thread-messages', { hasText: 'Follow-ups:' }).waitFor();
      await page.locator('#x-timeline .replies .post.brand', { hasText: 'Hi @tariq, the issue you reported' }).waitFor();
      await shot(page, '13-follow-ups');
    },
  };

  it('the outage scenario: one alert, the incident declared and broadcast, resolved, and one follow-up per linked customer', async () => {
    const seen: Partial<Record<Moment, number>> = {};
    onBeat = async (moment) => {
      seen[moment] = (seen[moment] ?? 0) + 1;
      await beats[moment]?.(seen[moment]);
    };
    await page.getByRole('button', { name: 'Play scenario' }).click();
    // `played` too: the click can return before the server has started the scenario.
    await expect.poll(() => sandbox.scenario.status(), { timeout: 150_000, interval: 250 }).toMatchObject({ played: true, running: false });
    expect(sandbox.scenario.status().error).toBeUndefined();
    expect(Object.keys(seen).sort()).toEqual([
      'alert',
      'broadcast',
      'declare-modal',
      'follow-ups',
      'linked',
      'preview',
      'resolve-modal',
      'update-modal',
    ]);
    expect(sandbox.scenario.status().steps.join('\n')).toMatch(/Follow-ups: \d+ sent, 0 failed/);
    expect(sandbox.world.slack.messages('C0OUTAGES1').filter((m) => !m.thread_ts)).toHaveLength(1);

    // Each update went out once per network, later ones threaded under the first.
    const [first, identified, resolved] = ['having trouble with login', 'We found the cause', 'Resolved:'].map((t) =>
      sandbox.world.x.posted.filter((p) => p.text.includes(t)),
    );
    expect([first!.length, identified!.length, resolved!.length]).toEqual([1, 1, 1]);
    expect(first![0]!.inReplyTo).toBeUndefined();
    expect([identified![0]!.inReplyTo, resolved![0]!.inReplyTo]).toEqual([first![0]!.id, first![0]!.id]);
    const announcements = sandbox.world.discord.sent.filter((m) => m.channelId === sandbox.world.discord.channelId('announcements'));
    expect(announcements.map((m) => m.content.slice(0, 18))).toEqual(["We're aware some c", 'We found the cause', 'Resolved: Customer']);
    expect(sandbox.world.discord.crossposted).toEqual(expect.arrayContaining(announcements.map((m) => m.id)));

    // Every customer of the outage — those whose cards raised the alert too — is linked and got
    // exactly one follow-up, threaded under what they wrote; nobody else got one.
    const linked = (
      await db.pglite!.query<{ platform: string; handle: string }>(
        'select distinct platform, author_handle as handle from mentions where incident_id is not null',
      )
    ).rows;
    expect(linked.map((l) => l.handle)).toEqual(
      expect.arrayContaining([...outageCustomers, ...whileAlerted, ...whileDeclared].map((c) => c.name)),
    );
    const followUps = followUpsByCustomer(sandbox);
    expect(Object.fromEntries(linked.map((l) => [l.handle, followUps.get(l.handle) ?? 0]))).toEqual(
      Object.fromEntries(linked.map((l) => [l.handle, 1])),
    );
    expect([...followUps.values()].reduce((a, b) => a + b, 0)).toBe(linked.length);
  }, 180_000);
});

/** Follow-ups on the customers' side, per customer: the brand's "…is fixed" answers to what they wrote. */
function followUpsByCustomer(sandbox: Sandbox): Map<string, number> {
  const author = new Map<string, string>([
    ...sandbox.people.tweets.map((t) => [t.id, t.username] as const),
    ...sandbox.people.discordMessages.map((m) => [m.id, m.username] as const),
  ]);
  const answers = [
    ...sandbox.world.x.posted.map((p) => ({ to: p.inReplyTo, text: p.text })),
    ...sandbox.world.discord.sent.map((m) => ({ to: m.messageReference?.message_id as string | undefined, text: m.content })),
  ];
  const counts = new Map<string, number>();
  for (const a of answers) {
    const who = a.to && author.get(a.to);
    if (who && a.text.includes('is fixed')) counts.set(who, (counts.get(who) ?? 0) + 1);
  }
  return counts;
}
