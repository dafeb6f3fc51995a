// The scripted story behind "Play scenario": a few ordinary customers, then an outage that many
// customers complain about at once, carebot's alert, and the incident the team runs from it
// (incident-story.ts) — each step done the way a person would do it (customers post on their
// network; the agent presses buttons found by their label), so the real carebot handles it all.
import type { Customers } from './customers.js';
import { incidentStory } from './incident-story.js';
import { buttonByLabel, type SlackPane } from './slack-pane.js';
import { pause, topLevel, until, write, type Customer, type Focus, type Moment, type Story } from './story.js';
import { ALERTS, INBOX, type World } from './world.js';

/** Written for the sandbox: everyday mentions a support team sees. */
const ordinary: Customer[] = [
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
const outageNames = [
  'maya_r',
  'devon',
  'ikram_s',
  'pablo_g',
  'ines_m',
  'kofi',
  'hana_t',
  'oliver_p',
  'sven',
  'amara_o',
  'li_wei',
  'rosa_d',
  'jonah_f',
  'farah',
];
/** Every fourth of them writes on Discord, in the server's #general. */
export const outageCustomers: Customer[] = outageNames.map((name, i) => ({
  name,
  text: outageTexts[(i + Math.floor(i / 4)) % outageTexts.length]!,
  on: i % 4 === 3 ? 'discord' : 'x',
}));

export interface ScenarioStatus {
  running: boolean;
  /** Played once: the story's outage and incident are then part of the sandbox. */
  played: boolean;
  steps: string[];
  /** Where the page should look now; `seq` changes with each new focus. */
  focus?: Focus & { seq: number };
  error?: string;
}

export interface ScenarioOptions {
  /** Milliseconds between customers' posts. */
  gapMs?: number;
  /** Called at each moment worth looking at; by default the story pauses there a little. */
  beat?: (moment: Moment) => Promise<void>;
}

export function scenario(world: World, pane: SlackPane, people: Customers, opts: ScenarioOptions = {}) {
  const gap = opts.gapMs ?? 250;
  let state: ScenarioStatus = { running: false, played: false, steps: [] };
  const story: Story = {
    world,
    pane,
    people,
    gap,
    step(line, focus) {
      state.steps.push(line);
      if (focus) state.focus = { ...focus, seq: (state.focus?.seq ?? 0) + 1 };
    },
    beat: opts.beat ?? (() => pause(gap * 8)),
  };

  async function run() {
    const cardsBefore = topLevel(world, INBOX).length;
    story.step('Ordinary mentions: four customers write on X and Discord', { channel: INBOX });
    await write(story, ordinary);
    await until('the four cards in #customer-care', () => topLevel(world, INBOX).length >= cardsBefore + ordinary.length);

    story.step(`Outage: ${outageCustomers.length} customers cannot log in`);
    await write(story, outageCustomers, gap / 2);
    const alert = await until('the outage alert in #outages', () =>
      topLevel(world, ALERTS).find((m) => buttonByLabel(m.blocks, 'Declare incident')),
    );
    story.step(`carebot raised the alert in #outages: ${alert.text.replace(/:[a-z_]+:\s*/g, '')}`, { channel: ALERTS });
    await story.beat('alert');
    await incidentStory(story, alert);
  }

  return {
    status: (): ScenarioStatus => ({ ...state, steps: [...state.steps] }),
    /** Starts the story unless it is playing or has played; resolves when it ends. */
    play(): Promise<void> {
      if (state.running || state.played) return Promise.resolve();
      state = { running: true, played: true, steps: [] };
      return run()
        .then(() => void story.step('Scenario finished'))
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
