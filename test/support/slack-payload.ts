import type { SlackCall } from '../../fakes/slack.js';

/**
 * What carebot really handed Slack, read the way Slack reads it: every text a call carries (a
 * message's top-level `text`, which Slack parses as mrkdwn for notifications and clients that
 * show no blocks, and every text object in `blocks` or a view, walked recursively), and what in
 * it Slack would turn into a live ping, a mention or a link.
 */

export interface SlackText {
  /** Where it was found: `chat.postMessage text`, `views.open view.blocks[1].text`… */
  where: string;
  text: string;
  /** Slack parses it (mrkdwn, or a message's top-level text); plain_text is shown as written. */
  parsed: boolean;
}

/** The calls that put text in front of people. */
const SHOWING = new Set([
  'chat.postMessage',
  'chat.update',
  'chat.postEphemeral',
  'views.open',
  'views.publish',
  'views.update',
  'views.push',
]);

/** Every text in one call's arguments. */
export function textsOf(call: Pick<SlackCall, 'method' | 'body'>): SlackText[] {
  const out: SlackText[] = [];
  const { body } = call;
  if (typeof body.text === 'string') out.push({ where: `${call.method} text`, text: body.text, parsed: body.mrkdwn !== 'false' });
  const walk = (node: unknown, where: string) => {
    if (Array.isArray(node)) {
      for (const [i, n] of node.entries()) walk(n, `${where}[${i}]`);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if ((o.type === 'mrkdwn' || o.type === 'plain_text') && typeof o.text === 'string') {
      out.push({ where, text: o.text, parsed: o.type === 'mrkdwn' });
      return;
    }
    for (const [k, v] of Object.entries(o)) walk(v, `${where}.${k}`);
  };
  walk(body.blocks, `${call.method} blocks`);
  walk(body.attachments, `${call.method} attachments`);
  walk(body.view, `${call.method} view`);
  return out;
}

/** Every text of every call that shows something. */
export const shownTexts = (calls: SlackCall[]) => calls.filter((c) => SHOWING.has(c.method)).flatMap(textsOf);

/** The Slack ids carebot itself may name in what it posts (its agents, its channels, the P1 group). */
export interface OwnIds {
  users?: string[];
  channels?: string[];
  subteams?: string[];
}

/** A character that never belongs raw in a link's URL: it could end the URL or the link, or hide what it is. */
const RAW_IN_URL = /[\s<>"'|`\\^{}]|[^\x21-\x7e]/u;

/**
 * What is wrong with one parsed text: a `<!here>`, `<!channel>`, `<!everyone>`, `<!subteam^…>`,
 * `<@…>` or `<#…>` carebot did not mean (an id not in `own`), a link to anything but an
 * http(s) URL, a link whose URL holds a raw character that only an unencoded customer string
 * would put there, a `|` in a link's label, and a raw `<` or a mid-line `>` (customer text that
 * was not escaped).
 */
export function slackProblems(text: string, own: OwnIds = {}): string[] {
  const problems: string[] = [];
  const rest = text.replace(/<([^<>]*)>/g, (_, inner: string) => {
    const [target = '', ...label] = inner.split('|');
    const id = (prefix: string) => target.slice(prefix.length);
    if (target.startsWith('@')) {
      if (!own.users?.includes(id('@'))) problems.push(`live user mention <${inner}>`);
    } else if (target.startsWith('#')) {
      if (!own.channels?.includes(id('#'))) problems.push(`live channel link <${inner}>`);
    } else if (target.startsWith('!subteam^')) {
      if (!own.subteams?.includes(id('!subteam^'))) problems.push(`live group ping <${inner}>`);
    } else if (target.startsWith('!date^')) {
      // carebot's own dates: `<!date^SECONDS^{token}|ISO fallback>`.
      if (!/^!date\^\d+\^\{\w+\}$/.test(target) || !/^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(label.join('|')))
        problems.push(`date markup carebot did not write <${inner}>`);
    } else if (target.startsWith('!')) {
      problems.push(`live special mention <${inner}>`);
    } else {
      if (!/^https?:\/\//i.test(target)) problems.push(`link to a non-http(s) URL <${inner}>`);
      if (RAW_IN_URL.test(target)) problems.push(`link URL with a raw, unencoded character <${inner}>`);
      if (label.length > 1) problems.push(`link label with a raw | <${inner}>`);
    }
    return ' ';
  });
  if (rest.includes('<')) problems.push(`raw < outside markup in ${JSON.stringify(text)}`);
  // `>` starts a line of a block quote; anywhere else it is a character that was not escaped.
  if (/[^\n]>/.test(rest.replace(/^>+/gm, ''))) problems.push(`raw > outside markup in ${JSON.stringify(text)}`);
  return problems;
}

/** Every problem in everything the calls show, each prefixed with where it was. */
export function problemsIn(calls: SlackCall[], own: OwnIds = {}): string[] {
  return shownTexts(calls)
    .filter((t) => t.parsed)
    .flatMap((t) => slackProblems(t.text, own).map((p) => `${t.where}: ${p}`));
}

/**
 * What a reader sees of a parsed text: links and mentions as their labels, then Slack's three
 * entities decoded (once, as Slack does). Customer text must come back from this exactly as the
 * customer wrote it: `&lt;` stays `&lt;`.
 */
export const displayed = (text: string) =>
  text
    .replace(/<([^<>]*)>/g, (_, inner: string) => inner.split('|').slice(1).join('|') || inner)
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
