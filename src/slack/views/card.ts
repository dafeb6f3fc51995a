import type { KnownBlock } from '@slack/web-api';
import { networks } from '../../../connectors/networks.js';
import type { Attachment } from '../../mention.js';
import type { MentionRow, ThreadRow } from '../../db/rows.js';
import { sentimentStrength, type TriageResult } from '../../triage/index.js';
import { actionIds } from './action-ids.js';
import { escapeMrkdwn, quote } from './escape.js';
import { slackLink } from './link.js';
import { fitRendered, truncate } from '../../shared/fit-text.js';

/** What the card shows about the conversation's handling; a new card has none yet. */
export type CardState = Pick<ThreadRow, 'status' | 'assignee' | 'replyingUser' | 'slaBreachedAt'>;

const sentimentEmoji: Record<TriageResult['sentiment']['label'], string> = {
  negative: ':red_circle:',
  neutral: ':white_circle:',
  positive: ':large_green_circle:',
};

const compact = (n: number) => (n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)}M` : n >= 1_000 ? `${(n / 1_000).toFixed(1)}k` : String(n));

function authorLine(m: MentionRow): string {
  const handle = `@${m.authorHandle ?? 'unknown'}`;
  const who = slackLink(m.authorUrl, handle);
  const name = m.authorName ? ` (${escapeMrkdwn(m.authorName)})` : '';
  const followers = m.authorFollowers != null ? ` · ${compact(m.authorFollowers)} followers` : '';
  const dm = m.private ? ' · :lock: direct message' : '';
  return `${networks[m.platform].emoji} ${networks[m.platform].label} · *${who}*${name}${followers}${dm}`;
}

const attachmentEmoji: Record<Attachment['kind'], string> = {
  image: ':frame_with_picture:',
  video: ':film_frames:',
  audio: ':sound:',
  file: ':paperclip:',
  sticker: ':label:',
};

/**
 * What the customer sent besides words, and what became of the message since: context lines
 * under the quote. Names and links come from the customer and the network, so they go through
 * `slackLink`; the network's file is never fetched.
 */
function aboutTheMessage(m: MentionRow): KnownBlock[] {
  const lines = m.attachments.map((a) => `${attachmentEmoji[a.kind]} ${slackLink(a.url, a.name ?? a.kind)}`);
  if (m.deletedAt) lines.push(':wastebasket: _Deleted by the customer_ — replies not yet sent to this message were cancelled');
  else if (m.editedAt) lines.push(':pencil2: _Edited by the customer_ — the text above is the latest');
  return lines.length ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: whole(lines, 3000) }] }] : [];
}

/** As many whole lines as fit in `max` characters (a cut link would break Slack's markup), then how many were left out. */
function whole(lines: string[], max: number): string {
  const kept: string[] = [];
  let length = 0;
  for (const [i, line] of lines.entries()) {
    const more = `…and ${lines.length - i} more`;
    if (length + line.length + 1 + more.length > max) return [...kept, more].join('\n');
    kept.push(line);
    length += line.length + 1;
  }
  return kept.join('\n');
}

/** The customer's words as a quote; a message of attachments alone says so. */
const words = (m: MentionRow, prefix = '') => (m.text?.trim() ? quoted(m.text, prefix) : `${prefix}_(no text)_`);

/** On the card's -1..+1 scale, with its sign: `+0.61`, `−0.82` (a true minus sign, as Slack sets it). */
const signed = (n: number) => (n > 0 ? `+${n.toFixed(2)}` : n < 0 ? `−${(-n).toFixed(2)}` : '0');

function badges(t: TriageResult): string {
  const flags = [t.complaint && 'complaint', t.needsResponse && 'needs reply'].filter(Boolean).join(' · ');
  return [
    `*${t.priority}*`,
    `${sentimentEmoji[t.sentiment.label]} ${t.sentiment.label} ${signed(sentimentStrength(t.sentiment.score))}`,
    `\`${t.category}\``,
    t.language,
    flags,
  ]
    .filter(Boolean)
    .join('  ·  ');
}

function statusLine(state: CardState | undefined, incidentId: number | null): string {
  const parts = [
    !state || state.status === 'new'
      ? ':new: New'
      : state.status === 'assigned'
        ? `:bust_in_silhouette: Assigned to <@${state.assignee}>`
        : state.status === 'replied'
          ? `:speech_balloon: Replied${state.assignee ? ` · <@${state.assignee}>` : ''}`
          : state.status === 'resolved'
            ? ':white_check_mark: Resolved'
            : ':no_entry_sign: Spam',
  ];
  if (state?.replyingUser && state.status !== 'resolved') parts.push(`:pencil2: <@${state.replyingUser}> is replying…`);
  if (state?.slaBreachedAt && state.status !== 'resolved') parts.push(':rotating_light: SLA breached');
  // The incident's follow-up answers the customer and closes the card: nobody answers them twice.
  if (incidentId) parts.push(`:link: linked to incident #${incidentId}`);
  return parts.join('  ·  ');
}

/** The card's actions block names its mention, so every button and menu on it knows its conversation. */
const actionsBlockPrefix = 'carebot_card:';

/** A mention id as carried in a block id or a modal's metadata; undefined when it is not one. */
export function mentionIdOf(text: string | undefined): number | undefined {
  const id = Number(text);
  return text && Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/** The root mention id a card action belongs to, from the block it was clicked in. */
export function cardMentionId(blockId: string | undefined): number | undefined {
  return blockId?.startsWith(actionsBlockPrefix) ? mentionIdOf(blockId.slice(actionsBlockPrefix.length)) : undefined;
}

export const moreOptions = { reclassify: 'Reclassify…', escalate: 'Escalate…', spam: 'Mark spam' } as const;
export type MoreOption = keyof typeof moreOptions;

function actions(mentionId: number, state: CardState | undefined): KnownBlock {
  const closed = state?.status === 'resolved' || state?.status === 'spam';
  const button = (text: string, action_id: string, style?: 'primary' | 'danger') => ({
    type: 'button' as const,
    text: { type: 'plain_text' as const, text, emoji: true },
    action_id,
    value: String(mentionId),
    ...(style ? { style } : {}),
  });
  return {
    type: 'actions',
    block_id: `${actionsBlockPrefix}${mentionId}`,
    elements: closed
      ? [button('Reopen', actionIds.reopen)]
      : [
          button('Reply', actionIds.reply, 'primary'),
          button('Assign to me', actionIds.assignMe),
          {
            type: 'users_select',
            action_id: actionIds.assign,
            placeholder: { type: 'plain_text', text: 'Assign…' },
            ...(state?.assignee ? { initial_user: state.assignee } : {}),
          },
          button('Resolve', actionIds.resolve),
          {
            type: 'overflow',
            action_id: actionIds.more,
            options: Object.entries(moreOptions).map(([value, text]) => ({ text: { type: 'plain_text' as const, text }, value })),
          },
        ],
  };
}

/** The customer's words as a quote, within a section's 3,000 characters after the prefix. */
const quoted = (text: string, prefix = '') => prefix + fitRendered(text, quote, 3000 - prefix.length);

/** The card a new conversation starts with; re-rendered in place as its state changes. */
export function mentionCard(
  m: MentionRow,
  t: TriageResult,
  opts: { state?: CardState; page?: string; earlier?: string } = {},
): { text: string; blocks: KnownBlock[] } {
  const original = m.url ? slackLink(m.url, 'View original') : 'no link';
  // A P1 pages the configured user group, once, on the first post (an edit does not notify).
  const page = t.priority === 'P1' && opts.page ? `<!subteam^${opts.page}> ` : '';
  const blocks: KnownBlock[] = [
    { type: 'context', elements: [{ type: 'mrkdwn', text: statusLine(opts.state, m.incidentId) }] },
    ...(opts.earlier
      ? [
          {
            type: 'context' as const,
            elements: [
              {
                type: 'mrkdwn' as const,
                text: `:leftwards_arrow_with_hook: ${slackLink(opts.earlier, 'Earlier conversation with this customer')}`,
              },
            ],
          },
        ]
      : []),
    { type: 'section', text: { type: 'mrkdwn', text: page + authorLine(m) } },
    { type: 'section', text: { type: 'mrkdwn', text: words(m) } },
    ...aboutTheMessage(m),
    { type: 'context', elements: [{ type: 'mrkdwn', text: badges(t) }] },
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `${original} · ${t.reasons.map(escapeMrkdwn).join(' · ') || 'no triage reasons'}` }],
    },
    actions(m.id, opts.state),
  ];
  // The notification text is what phones and screen readers show: make it stand alone. Slack
  // parses it as mrkdwn too (pings and links included), so the customer's part is escaped.
  const text = `${t.priority} ${m.platform} ${escapeMrkdwn(`@${m.authorHandle}: ${truncate(m.text ?? '', 150)}`)}`;
  return { text, blocks };
}

/** Who a conversation's card is about: the author of its root mention. */
export type CardCustomer = Pick<MentionRow, 'authorId' | 'authorHandle'>;

/** Whether a message in a card's conversation was written by someone other than the card's customer. */
export const isThirdParty = (m: Pick<MentionRow, 'authorId' | 'authorHandle'>, customer: CardCustomer | undefined) =>
  !!customer &&
  (m.authorId != null && customer.authorId != null ? m.authorId !== customer.authorId : m.authorHandle !== customer.authorHandle);

/**
 * A later message in a conversation that already has a card: a reply in its thread. Given the
 * card's customer, a message by anyone else (a third party answering in the customer's thread) is
 * marked as such, so nobody mistakes it for the customer's own words; agents' replies still go
 * to the customer (`latestMention`), never to it.
 */
export function followUpMessage(m: MentionRow, t: TriageResult, customer?: CardCustomer): { text: string; blocks: KnownBlock[] } {
  const handle = escapeMrkdwn(`@${m.authorHandle ?? ''}`);
  const other = isThirdParty(m, customer);
  const marked = other ? `${handle} (not the customer of this card)` : handle;
  const to = escapeMrkdwn(`@${customer?.authorHandle ?? 'the customer'}`);
  const header = other
    ? `:warning: *${marked}* wrote in this conversation (replies from this card go to ${to}, not to them):\n`
    : `*${handle}* wrote:\n`;
  return {
    text: `${marked}: ${escapeMrkdwn(truncate(m.text ?? '', 150))}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: words(m, header) } },
      ...aboutTheMessage(m),
      { type: 'context', elements: [{ type: 'mrkdwn', text: badges(t) }] },
    ],
  };
}
