// The outage story after carebot's alert: the agent declares the incident from the alert,
// broadcasts the first public update, customers who write now are linked to it, an
// "identified" update, the resolution, and carebot's follow-up to every linked customer.
import type { SlackMessage } from '../fakes/slack.js';
import { buttonByLabel } from './slack-pane.js';
import { fillModal, press, repliesTo, topLevel, until, write, type Customer, type Story } from './story.js';
import { BRAND, STATUS } from './world.js';

/** They write while the team reads the alert: carebot gathers them into it instead of a card each. */
export const whileAlerted: Customer[] = [
  { name: 'noor_a', text: 'login failing on iOS too, "invalid session" every time', on: 'x' },
  { name: 'beto', text: 'login down for anyone else? cannot get into my account', on: 'discord' },
  { name: 'claire_v', text: 'third time today the login fails, please fix this', on: 'x' },
];
/** They write once the incident is declared: its keywords link them to it. */
export const whileDeclared: Customer[] = [
  { name: 'yusuf', text: 'login still broken for me, is there an ETA?', on: 'x' },
  { name: 'mila_k', text: 'my whole team is locked out, login keeps failing', on: 'discord' },
  { name: 'tariq', text: 'login is down and I have a demo in an hour!!', on: 'x' },
];

const TITLE = 'Customers cannot log in';
const IDENTIFIED = 'We found the cause of the login problems (an expired certificate on our sign-in service) and are rolling out a fix.';

/** The incident thread's digests of linked mentions ("3 more about '…' since the last digest"). */
const digests = (story: Story, card: SlackMessage) => repliesTo(story.world, card).filter((m) => / more about '/.test(m.text));
const digested = (story: Story, card: SlackMessage) => digests(story, card).reduce((n, m) => n + (Number(m.text.split(' ')[0]) || 0), 0);

/**
 * Whether the digests list these customers. A digest shows its oldest rows and hides the rest
 * behind "…and N more": customers who wrote last and are not shown are among those hidden.
 */
function listed(story: Story, card: SlackMessage, customers: Customer[]): boolean {
  const shown = digests(story, card).map((m) => JSON.stringify(m.blocks));
  const hidden = shown.reduce((n, blocks) => n + Number(/…and (\d+) more/.exec(blocks)?.[1] ?? 0), 0);
  return customers.filter((c) => !shown.some((blocks) => blocks.includes(`*@${c.name}*`))).length <= hidden;
}

/** Presses Broadcast on the newest preview (of `what`) and waits for each network's result in the thread. */
async function broadcast(story: Story, card: SlackMessage, what: string): Promise<void> {
  const preview = await until('the update preview with its Broadcast button', () =>
    repliesTo(story.world, card).findLast((m) => m.text.startsWith('Update (') && buttonByLabel(m.blocks, 'Broadcast')),
  );
  story.step(`carebot previews ${what} in the incident thread, with its length on X and Discord`, { channel: STATUS, threadTs: card.ts });
  await story.beat('preview');
  await press(story, preview, 'Broadcast');
  const results = await until("each network's broadcast result", () =>
    repliesTo(story.world, card).find((m) => Number(m.ts) > Number(preview.ts) && /^:\w+: (X|Discord):/.test(m.text)),
  );
  if (!/X: .*posted/.test(results.text) || !/Discord: .*posted/.test(results.text))
    throw new Error(`the broadcast did not go out everywhere: ${results.text}`);
  story.step(`The agent presses "Broadcast": @${BRAND.username} tweets ${what}, Discord's #announcements has it (crossposted)`);
  await story.beat('broadcast');
}

export async function incidentStory(story: Story, alert: SlackMessage): Promise<void> {
  const { world } = story;
  story.step(`${whileAlerted.length} more customers write; carebot adds them to the alert instead of a card each`);
  await write(story, whileAlerted);

  story.step('The agent presses "Declare incident" on the alert and fills in the incident');
  await press(story, alert, 'Declare incident');
  await fillModal(
    story,
    'Declare incident',
    { Title: TITLE, 'Affected components': 'login, mobile app', Keywords: 'login, log in, sign in' },
    'declare-modal',
  );
  const card = await until('the incident card in #status', () => topLevel(world, STATUS).findLast((m) => m.text.includes(TITLE)));
  story.step(
    'Incident declared: its card in #status; every customer of the outage so far — the cards that raised the alert and those gathered in it — is linked to it',
    { channel: STATUS, threadTs: card.ts },
  );
  await broadcast(story, card, 'the first public update');

  story.step(`${whileDeclared.length} more customers write; the incident's keywords link them to it`);
  await write(story, whileDeclared);
  // Resolving follows up the customers linked by then: wait until the thread's digest lists these.
  await until('the digest of linked customers in the incident thread', () => listed(story, card, whileDeclared));
  story.step(`carebot lists the linked customers in the incident thread (${digested(story, card)} so far)`, {
    channel: STATUS,
    threadTs: card.ts,
  });
  await story.beat('linked');

  story.step('The agent posts an update: Identified');
  await press(story, card, 'Post update');
  await fillModal(story, 'Post update', { State: 'Identified', 'Public message': IDENTIFIED }, 'update-modal');
  await broadcast(story, card, 'the "Identified" update');

  story.step('The fix is out: the agent presses "Resolve incident"');
  await press(story, card, 'Resolve incident');
  await fillModal(story, 'Resolve incident', {}, 'resolve-modal');
  await broadcast(story, card, 'the resolution');

  const report = await until(
    'the follow-ups report in the incident thread',
    () => repliesTo(world, card).find((m) => m.text.startsWith('Follow-ups:')),
    90_000,
  );
  story.step(`carebot followed up every linked customer, threaded under what they wrote. ${report.text}`, {
    channel: STATUS,
    threadTs: card.ts,
  });
  await story.beat('follow-ups');
}
