// The scripted story behind "Play scenario": a few ordinary customers, then an outage that many
// customers complain about at once, carebot's alert — each step done the way a person would do
// it (customers post on their network; the agent presses buttons found by their label), so the
// real carebot handles every bit of it.
import type { Customers } from './customers.js';
import { buttonByLabel, type SlackPane } from './slack-pane.js';
import { ALERTS, INBOX, type World } from './world.js';

/** Written for the sandbox: everyday mentions a support team sees. */
const ordinary: Array<{ name: string; text: string; on: 'x' | 'dm' }> = [
  { name: 'nadia_k', text: 'Just moved to the yearly plan and the new dashboard is lovely, well done!', on: 'x' },
  { name: 'tomasz_w', text: 'Was I charged twice for March? I see two payments on my card statement', on: 'x' },
  { name: 'quinn', text: 'Hi! Is there a way to export my playlists to a file?', on: 'dm' },
  { name: 'leo_b', text: 'My order 4471 still has not shipped after 9 days, any update?', on: 'x' },
];

/** The outage: fourteen customers who cannot log in, within a few seconds. */
const outageTexts = [
  "can't log in, the login page just spins forever",
  'login is broken for me, the password reset email never arrives',
  'is login down? it keeps saying invalid session',
  "still can't log in on the app or the website, this is so frustrating",
];
const outageNames = ['maya_r', 'devon', 'ikram_s', 'pablo_g', 'ines_m', 'kofi', 'hana_t', 'oliver_p', 'sven', 'amara_o', 'li_wei', 'rosa_d', 'jonah_f', 'farah'];
/** Every fourth of them writes on Discord, in the server's #general. */
export const outageCustomers = outageNames.map((name, i) => ({ name, text: outageTexts[(i + Math.floor(i / 4)) % outageTexts.length]!, on: i % 4 === 3 ? ('discord' as const) : ('x' as const) }));

export interface ScenarioStatus {
  running: boolean;
  steps: string[];
  error?: string;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, check: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await pause(100);
  }
}

export function scenario(world: World, pane: SlackPane, people: Customers, opts: { gapMs?: number } = {}) {
  const gap = opts.gapMs ?? 250;
  let state: ScenarioStatus = { running: false, steps: [] };
  const step = (line: string) => state.steps.push(line);
  const topLevel = (channel: string) => world.slack.messages(channel).filter((m) => !m.thread_ts);

  async function run() {
    const cardsBefore = topLevel(INBOX).length;
    step('Ordinary mentions: four customers write on X and Discord');
    for (const m of ordinary) {
      if (m.on === 'x') await people.tweet(m.name, m.text);
      else people.discord(m.name, m.text, 'dm');
      await pause(gap);
    }
    await until('the four cards in #customer-care', () => topLevel(INBOX).length >= cardsBefore + ordinary.length);

    step(`Outage: ${outageCustomers.length} customers cannot log in`);
    for (const c of outageCustomers) {
      if (c.on === 'x') await people.tweet(c.name, c.text);
      else people.discord(c.name, c.text, 'mention');
      await pause(gap / 2);
    }
    const alert = await until('the outage alert in #outages', () => topLevel(ALERTS).find((m) => buttonByLabel(m.blocks, 'Declare incident')));
    step(`carebot raised the alert in #outages: ${alert.text.replace(/:[a-z_]+:\s*/g, '')}`);
  }

  return {
    status: (): ScenarioStatus => ({ ...state, steps: [...state.steps] }),
    /** Starts the story unless it is already playing; resolves when it ends. */
    play(): Promise<void> {
      if (state.running) return Promise.resolve();
      state = { running: true, steps: [] };
      return run()
        .then(() => void step('Scenario finished'))
        .catch((err: Error) => {
          state.error = err.message;
        })
        .finally(() => {
          state.running = false;
        });
    },
  };
}

export type Scenario = ReturnType<typeof scenario>;
