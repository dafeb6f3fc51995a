import type { App, RespondArguments, SlashCommand } from '@slack/bolt';
import type { SlackCtx } from '../../context.js';
import { command } from '../views/action-ids.js';
import { homeData } from '../inbox/home-data.js';
import { refusal } from '../inbox/roles.js';

/** A `/carebot <name> …` subcommand; what it returns is shown to the caller alone. */
export interface Subcommand {
  usage: string;
  run(s: SlackCtx<'config' | 'log' | 'db'>, cmd: SlashCommand, args: string): Promise<string | RespondArguments>;
}

const summary: Subcommand = {
  usage: `${command} – your queue at a glance`,
  async run(s, cmd) {
    const refused = await refusal(s, cmd.user_id, 'agent', 'see the queue', { type: 'conversation', id: 'all' });
    if (refused) return refused;
    const d = await homeData(s.db, cmd.user_id, new Date(Date.now() - 86_400_000));
    const unassigned =
      Object.entries(d.unassignedByPriority)
        .map(([p, n]) => `${p}: ${n}`)
        .join(', ') || 'none';
    return [
      `*Your open assignments:* ${d.mine.length}`,
      `*Unassigned:* ${unassigned}`,
      `*SLA breaches open:* ${d.breaches.length}`,
      `*Mentions in the last 24 h:* ${d.today.total}`,
      `The carebot app's *Home* tab lists them with links to each card.`,
    ].join('\n');
  },
};

/**
 * `/carebot`: the summary without arguments, `help`, and any subcommands other parts of
 * carebot register (incidents add theirs). Answers are ephemeral, in the command's response.
 */
export function onCommand(app: App, s: SlackCtx<'config' | 'log' | 'db'>, more: Record<string, Subcommand> = {}): void {
  const subcommands: Record<string, Subcommand> = { ...more };
  const help = () =>
    ['*carebot commands*', summary.usage, `${command} help – this list`, ...Object.values(subcommands).map((c) => c.usage)].join('\n');
  app.command(command, async ({ ack, command: cmd }) => {
    const [name = '', ...rest] = cmd.text.trim().split(/\s+/);
    const sub = name === '' ? summary : subcommands[name.toLowerCase()];
    if (!sub) {
      await ack({ response_type: 'ephemeral', text: name === 'help' ? help() : `Unknown subcommand \`${name}\`.\n${help()}` });
      return;
    }
    const answer = await sub.run(s, cmd, rest.join(' '));
    await ack(typeof answer === 'string' ? { response_type: 'ephemeral', text: answer } : answer);
  });
}
