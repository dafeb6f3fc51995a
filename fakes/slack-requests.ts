// What Slack sends to an app: signed HTTP requests to its Request URL, in the shapes Slack
// documents (Events API envelopes, interaction payloads, slash command forms). Tests drive the
// real Bolt app with these; the fake Slack (./slack.ts) supplies the messages and views the
// payloads describe, so a click on a button that is not on the card cannot be sent.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { FakeSlack, SlackMessage } from './slack.js';

export interface SlackUserRef {
  id: string;
  name?: string;
}

export interface SignedResponse {
  status: number;
  /** The response body, JSON-decoded when it is JSON (an ack with a payload). */
  body: unknown;
}

type Block = { type: string; block_id?: string; elements?: Element[]; element?: Element; accessory?: Element };
type Element = {
  type: string;
  action_id?: string;
  value?: string;
  text?: unknown;
  options?: Option[];
  initial_option?: Option;
  initial_user?: string;
  initial_conversation?: string;
  initial_value?: string;
};
type Option = { text: unknown; value: string };

/** How Slack hands a payload to the app: one signed HTTP request, or one Socket Mode envelope. */
export type Delivery = (kind: 'event' | 'interaction' | 'command', payload: Record<string, unknown>) => Promise<SignedResponse>;

/** Signs `body` as Slack does and posts it; `headers` override (a forged signature, an old timestamp). */
export async function signedPost(
  url: string,
  signingSecret: string,
  body: string,
  contentType: string,
  headers: Record<string, string> = {},
): Promise<SignedResponse> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType, 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature, ...headers },
    body,
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : '';
  } catch {
    // a plain-text body stays text
  }
  return { status: res.status, body: parsed };
}

/** The Events API request URL: events as JSON, interactions as a `payload` form field, commands as a form. */
export function overHttp(url: string, signingSecret: string): Delivery {
  const form = (fields: Record<string, string>) =>
    signedPost(url, signingSecret, new URLSearchParams(fields).toString(), 'application/x-www-form-urlencoded');
  return (kind, payload) =>
    kind === 'event'
      ? signedPost(url, signingSecret, JSON.stringify(payload), 'application/json')
      : kind === 'interaction'
        ? form({ payload: JSON.stringify(payload) })
        : form(payload as Record<string, string>);
}

/** Socket Mode: the same payloads as envelopes on the app's WebSocket; the ack's payload is the answer. */
export function overSocket(slack: FakeSlack): Delivery {
  const types = { event: 'events_api', interaction: 'interactive', command: 'slash_commands' } as const;
  return async (kind, payload) => {
    const ack = await slack.sendEnvelope(types[kind], payload);
    return { status: 200, body: ack.payload ?? '' };
  };
}

export interface SlackRequests {
  urlVerification(challenge: string): Promise<SignedResponse>;
  /** An Events API `event_callback` around `event`. */
  event(event: Record<string, unknown>): Promise<SignedResponse>;
  /** A person's message in a thread: stored in the fake Slack, then delivered as a `message` event. */
  threadMessage(opts: {
    channel: string;
    threadTs: string;
    user: string;
    text: string;
    subtype?: string;
  }): Promise<{ message: SlackMessage; response: SignedResponse }>;
  appHomeOpened(user: string): Promise<SignedResponse>;
  /** A click on a button (or a pick in a menu) of a message the app posted, found in the fake by action id. */
  clickInMessage(
    message: SlackMessage,
    user: SlackUserRef,
    actionId: string,
    pick?: { value?: string; user?: string },
  ): Promise<SignedResponse>;
  /** A click on a button of an ephemeral message, whose blocks only the app knows. */
  clickInEphemeral(channel: string, blocks: unknown[], user: SlackUserRef, actionId: string): Promise<SignedResponse>;
  /** A pick in a menu (or a button) inside a view: a modal or App Home. */
  clickInView(viewId: string, user: SlackUserRef, actionId: string, pick?: { value?: string }): Promise<SignedResponse>;
  /** `view_submission`: inputs by action id (text, option value, conversation or user id); the rest keep their initial values. */
  submitView(viewId: string, user: SlackUserRef, inputs?: Record<string, string>): Promise<SignedResponse>;
  closeView(viewId: string, user: SlackUserRef): Promise<SignedResponse>;
  /** A message shortcut on a message. */
  messageShortcut(callbackId: string, message: SlackMessage, user: SlackUserRef): Promise<SignedResponse>;
  command(command: string, text: string, user: SlackUserRef, channel: string): Promise<SignedResponse>;
}

export function slackRequests(opts: { slack: FakeSlack; deliver: Delivery; appId?: string }): SlackRequests {
  const { slack, deliver } = opts;
  const appId = opts.appId ?? 'A0CAREBOT1';
  const team = { id: slack.teamId, domain: 'carebot-test' };
  const token = 'legacy-verification-token';
  const triggerId = () => `${Date.now()}.${slack.teamId}.${randomBytes(16).toString('hex')}`;
  const actionTs = () => (Date.now() / 1000).toFixed(6);
  const responseUrl = () => `https://hooks.slack.com/actions/${slack.teamId}/${Date.now()}/${randomBytes(12).toString('hex')}`;
  const userOf = (u: SlackUserRef) => ({
    id: u.id,
    username: u.name ?? `user_${u.id.toLowerCase()}`,
    name: u.name ?? `user_${u.id.toLowerCase()}`,
    team_id: slack.teamId,
  });
  const interaction = (payload: Record<string, unknown>) => deliver('interaction', payload);

  const event: SlackRequests['event'] = (ev) =>
    deliver('event', {
      token,
      team_id: slack.teamId,
      context_team_id: slack.teamId,
      context_enterprise_id: null,
      api_app_id: appId,
      event: ev,
      type: 'event_callback',
      event_id: `Ev${randomBytes(5).toString('hex').toUpperCase()}`,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [
        { enterprise_id: null, team_id: slack.teamId, user_id: slack.botUserId, is_bot: true, is_enterprise_install: false },
      ],
      is_ext_shared_channel: false,
      event_context: `4-${randomBytes(24).toString('base64url')}`,
    });

  /** The element with `actionId` among blocks, and the block it sits in. */
  const find = (blocks: unknown[], actionId: string): { block: Block; element: Element } => {
    for (const block of blocks as Block[]) {
      for (const element of [...(block.elements ?? []), block.element, block.accessory]) {
        if (element?.action_id === actionId) return { block, element };
      }
    }
    throw new Error(`no element with action_id ${actionId} in these blocks: ${JSON.stringify(blocks).slice(0, 500)}`);
  };
  const actionFor = (blocks: unknown[], actionId: string, pick: { value?: string; user?: string } = {}) => {
    const { block, element } = find(blocks, actionId);
    const base = {
      type: element.type,
      action_id: actionId,
      block_id: block.block_id ?? randomBytes(3).toString('hex'),
      action_ts: actionTs(),
    };
    switch (element.type) {
      case 'button':
        return { ...base, text: element.text, value: element.value };
      case 'overflow':
      case 'static_select': {
        const option = element.options?.find((o) => o.value === pick.value);
        if (!option) throw new Error(`${actionId} has no option ${pick.value}`);
        return {
          ...base,
          selected_option: option,
          ...(element.type === 'static_select' ? { placeholder: (element as { placeholder?: unknown }).placeholder } : {}),
        };
      }
      case 'users_select':
        return { ...base, selected_user: pick.user, ...(element.initial_user ? { initial_user: element.initial_user } : {}) };
      default:
        throw new Error(`clicking a ${element.type} is not supported here`);
    }
  };

  /** What Slack reports as a view's state: every input's current value, initial values where untouched. */
  const stateOf = (blocks: Block[], inputs: Record<string, string>) => {
    const values: Record<string, Record<string, unknown>> = {};
    for (const block of blocks) {
      const element = block.type === 'input' ? block.element : undefined;
      if (!element?.action_id || !block.block_id) continue;
      const given = inputs[element.action_id];
      let value: Record<string, unknown>;
      switch (element.type) {
        case 'plain_text_input':
          value = { type: element.type, value: given ?? element.initial_value ?? null };
          break;
        case 'static_select': {
          const option = given === undefined ? element.initial_option : element.options?.find((o) => o.value === given);
          if (given !== undefined && !option) throw new Error(`${element.action_id} has no option ${given}`);
          value = { type: element.type, selected_option: option ?? null };
          break;
        }
        case 'conversations_select':
          value = { type: element.type, selected_conversation: given ?? element.initial_conversation ?? null };
          break;
        case 'users_select':
          value = { type: element.type, selected_user: given ?? element.initial_user ?? null };
          break;
        default:
          throw new Error(`inputs of type ${element.type} are not supported here`);
      }
      values[block.block_id] = { [element.action_id]: value };
    }
    return { values };
  };
  const viewOf = (viewId: string) => {
    const view = slack.view(viewId);
    if (!view) throw new Error(`the fake Slack has no view ${viewId}`);
    return view as Record<string, unknown> & { blocks: Block[] };
  };
  const messageOf = (m: SlackMessage) =>
    m.user
      ? { type: 'message', user: m.user, text: m.text, ts: m.ts, team: slack.teamId, ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}) }
      : {
          bot_id: slack.botId,
          type: 'message',
          text: m.text,
          user: slack.botUserId,
          ts: m.ts,
          app_id: appId,
          blocks: m.blocks ?? [],
          team: slack.teamId,
          ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
          ...(m.edits ? { edited: { user: slack.botUserId, ts: m.ts } } : {}),
        };

  return {
    urlVerification: (challenge) => deliver('event', { token, challenge, type: 'url_verification' }),
    event,
    async threadMessage({ channel, threadTs, user, text, subtype }) {
      const message = slack.addMessage({ channel, user, text, thread_ts: threadTs });
      const response = await event({
        ...(subtype ? { subtype } : {}),
        user,
        type: 'message',
        ts: message.ts,
        client_msg_id: randomUUID(),
        text,
        team: slack.teamId,
        thread_ts: threadTs,
        parent_user_id: slack.botUserId,
        blocks: [
          {
            type: 'rich_text',
            block_id: randomBytes(2).toString('hex'),
            elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text }] }],
          },
        ],
        channel,
        event_ts: message.ts,
        channel_type: 'channel',
      });
      return { message, response };
    },
    appHomeOpened: (user) => {
      const home = slack.homeOf(user);
      return event({
        type: 'app_home_opened',
        user,
        channel: `D0${user.slice(1)}`,
        tab: 'home',
        event_ts: actionTs(),
        ...(home ? { view: home } : {}),
      });
    },
    clickInMessage: (message, user, actionId, pick) =>
      interaction({
        type: 'block_actions',
        user: userOf(user),
        api_app_id: appId,
        token,
        container: {
          type: 'message',
          message_ts: message.ts,
          channel_id: message.channel,
          is_ephemeral: false,
          ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
        },
        trigger_id: triggerId(),
        team,
        enterprise: null,
        is_enterprise_install: false,
        channel: { id: message.channel, name: 'customer-care' },
        message: messageOf(message),
        state: { values: {} },
        response_url: responseUrl(),
        actions: [actionFor(message.blocks ?? [], actionId, pick)],
      }),
    clickInEphemeral: (channel, blocks, user, actionId) =>
      interaction({
        type: 'block_actions',
        user: userOf(user),
        api_app_id: appId,
        token,
        container: { type: 'message', message_ts: actionTs(), channel_id: channel, is_ephemeral: true },
        trigger_id: triggerId(),
        team,
        enterprise: null,
        is_enterprise_install: false,
        channel: { id: channel, name: 'customer-care' },
        state: { values: {} },
        response_url: responseUrl(),
        actions: [actionFor(blocks, actionId)],
      }),
    clickInView(viewId, user, actionId, pick) {
      const view = viewOf(viewId);
      return interaction({
        type: 'block_actions',
        user: userOf(user),
        api_app_id: appId,
        token,
        container: { type: 'view', view_id: viewId },
        trigger_id: triggerId(),
        team,
        enterprise: null,
        is_enterprise_install: false,
        view: { ...view, state: stateOf(view.blocks, {}) },
        actions: [actionFor(view.blocks, actionId, pick)],
      });
    },
    submitView(viewId, user, inputs = {}) {
      const view = viewOf(viewId);
      return interaction({
        type: 'view_submission',
        team,
        user: userOf(user),
        api_app_id: appId,
        token,
        trigger_id: triggerId(),
        view: { ...view, state: stateOf(view.blocks, inputs) },
        response_urls: [],
        is_enterprise_install: false,
        enterprise: null,
      });
    },
    closeView(viewId, user) {
      const view = viewOf(viewId);
      return interaction({
        type: 'view_closed',
        team,
        user: userOf(user),
        api_app_id: appId,
        token,
        view: { ...view, state: stateOf(view.blocks, {}) },
        is_cleared: false,
        is_enterprise_install: false,
        enterprise: null,
      });
    },
    messageShortcut: (callbackId, message, user) =>
      interaction({
        type: 'message_action',
        token,
        action_ts: actionTs(),
        team,
        user: userOf(user),
        channel: { id: message.channel, name: 'customer-care' },
        is_enterprise_install: false,
        enterprise: null,
        callback_id: callbackId,
        trigger_id: triggerId(),
        response_url: responseUrl(),
        message_ts: message.ts,
        message: messageOf(message),
      }),
    command: (command, text, user, channel) =>
      deliver('command', {
        token,
        team_id: slack.teamId,
        team_domain: team.domain,
        channel_id: channel,
        channel_name: 'customer-care',
        user_id: user.id,
        user_name: user.name ?? `user_${user.id.toLowerCase()}`,
        command,
        text,
        api_app_id: appId,
        is_enterprise_install: 'false',
        response_url: `https://hooks.slack.com/commands/${slack.teamId}/${Date.now()}/${randomBytes(12).toString('hex')}`,
        trigger_id: triggerId(),
      }),
  };
}
