// What the visitor does in the team's Slack, turned into what Slack itself would send carebot:
// signed block_actions, view_submission, message events and slash commands on /slack/events,
// built by the same slack-requests.ts the tests use (a button that is not there cannot be
// clicked). Also what Slack keeps on its side and the fake does not: which modals are still
// open, their validation errors, and the ephemeral messages shown to the visitor.
import { overHttp, slackRequests, type SignedResponse } from '../fakes/slack-requests.js';
import type { FakeSlack, SlackMessage } from '../fakes/slack.js';
import { agent } from './world.js';

type Block = { type: string; block_id?: string; label?: { text?: string }; element?: Element; elements?: Element[]; accessory?: Element };
type Element = { type: string; action_id?: string; text?: { text?: string }; options?: Array<{ text: { text: string }; value: string }> };

export interface Ephemeral {
  id: number;
  channel: string;
  threadTs?: string;
  text: string;
  blocks: unknown[];
}

export class SlackActionError extends Error {}

/** The action id of the button labelled `label` among `blocks`, if there is one. */
export function buttonByLabel(blocks: unknown[] | undefined, label: string): string | undefined {
  for (const block of (blocks ?? []) as Block[]) {
    for (const el of [...(block.elements ?? []), block.accessory]) {
      if (el?.type === 'button' && el.text?.text?.trim() === label && el.action_id) return el.action_id;
    }
  }
  return undefined;
}

/** A modal's inputs by their labels, as action id → value (a select's option picked by its text). */
export function inputsByLabel(view: { blocks?: unknown[] }, byLabel: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [label, value] of Object.entries(byLabel)) {
    const block = ((view.blocks ?? []) as Block[]).find((b) => b.type === 'input' && b.label?.text?.trim() === label);
    const el = block?.element;
    if (!el?.action_id) throw new SlackActionError(`the modal has no input labelled "${label}"`);
    const option = el.options?.find((o) => o.text.text === value || o.value === value);
    out[el.action_id] = option ? option.value : value;
  }
  return out;
}

export function slackPane(slack: FakeSlack, eventsUrl: string, signingSecret: string) {
  const requests = slackRequests({ slack, deliver: overHttp(eventsUrl, signingSecret) });
  const dismissed = new Set<string>();
  const errors = new Map<string, Record<string, string>>();
  // What the scripted agent typed into a modal before submitting it, for the page to show.
  const drafts = new Map<string, Record<string, string>>();

  const check = (what: string, res: SignedResponse) => {
    if (res.status >= 300) throw new SlackActionError(`${what}: carebot answered ${res.status} ${JSON.stringify(res.body)}`);
    return res;
  };
  const message = (channel: string, ts: string): SlackMessage => {
    const found = slack.messages(channel).find((m) => m.ts === ts);
    if (!found) throw new SlackActionError(`no message ${ts} in ${channel}`);
    return found;
  };

  return {
    /** Modals carebot opened that the visitor has not submitted or closed, oldest first. */
    openModals: () =>
      slack
        .modals()
        .filter((v) => !dismissed.has(v.id))
        .map((v) => ({
          ...v,
          title: v.title as { text?: string } | null,
          blocks: (v.blocks ?? []) as unknown[],
          errors: errors.get(v.id) ?? {},
          drafts: drafts.get(v.id) ?? {},
        })),
    ephemerals: (): Ephemeral[] =>
      slack.calls.flatMap((c, id) =>
        c.method === 'chat.postEphemeral' && c.body.user === agent.id
          ? [
              {
                id,
                channel: String(c.body.channel),
                ...(c.body.thread_ts ? { threadTs: String(c.body.thread_ts) } : {}),
                text: String(c.body.text ?? ''),
                blocks: (c.body.blocks as unknown[]) ?? [],
              },
            ]
          : [],
      ),
    home: () => slack.homeOf(agent.id),

    async click(channel: string, ts: string, actionId: string, value?: string) {
      check('click', await requests.clickInMessage(message(channel, ts), agent, actionId, value === undefined ? undefined : { value }));
    },
    async clickEphemeral(id: number, actionId: string) {
      const e = this.ephemerals().find((x) => x.id === id);
      if (!e) throw new SlackActionError(`no ephemeral message ${id}`);
      check('click', await requests.clickInEphemeral(e.channel, e.blocks, agent, actionId));
    },
    async clickInView(viewId: string, actionId: string, value?: string) {
      check('click', await requests.clickInView(viewId, agent, actionId, value === undefined ? undefined : { value }));
    },
    /** Inputs typed into an open modal (action id → value), shown on the page until it is submitted. */
    type(viewId: string, inputs: Record<string, string>) {
      drafts.set(viewId, { ...drafts.get(viewId), ...inputs });
    },
    /** Submits a modal; carebot's answer decides, as in Slack, whether it closes, changes or shows errors. */
    async submit(viewId: string, inputs: Record<string, string>) {
      const res = check('submit', await requests.submitView(viewId, agent, inputs));
      const answer = (typeof res.body === 'object' && res.body ? res.body : {}) as {
        response_action?: string;
        errors?: Record<string, string>;
        view?: Record<string, unknown>;
      };
      errors.delete(viewId);
      if (answer.response_action === 'errors') errors.set(viewId, answer.errors ?? {});
      else if (answer.response_action === 'update' && answer.view) slack.replaceView(viewId, answer.view);
      else if (answer.response_action === 'clear') for (const v of slack.modals()) dismissed.add(v.id);
      else dismissed.add(viewId);
      return answer.errors ?? {};
    },
    /** Closes a modal; as in Slack, carebot hears of it only when the modal asked (notify_on_close). */
    async close(viewId: string) {
      dismissed.add(viewId);
      if (slack.view(viewId)?.notify_on_close) check('close', await requests.closeView(viewId, agent));
    },
    /** The visitor writes in a thread (an answer to the customer) or, with `/carebot …`, runs the command. */
    async write(channel: string, text: string, threadTs?: string) {
      if (text.startsWith('/')) {
        const [command, ...rest] = text.split(' ');
        check('command', await requests.command(command!, rest.join(' '), agent, channel));
      } else if (threadTs) {
        check('message', (await requests.threadMessage({ channel, threadTs, user: agent.id, text })).response);
      } else {
        const m = slack.addMessage({ channel, user: agent.id, text });
        check(
          'message',
          await requests.event({ type: 'message', user: agent.id, text, ts: m.ts, channel, event_ts: m.ts, channel_type: 'channel' }),
        );
      }
    },
    async openHome() {
      check('app_home_opened', await requests.appHomeOpened(agent.id));
    },
  };
}

export type SlackPane = ReturnType<typeof slackPane>;
