import type { KnownBlock } from '@slack/web-api';
import type { MentionRow } from '../pipeline/mention-row.js';
import type { TriageResult } from '../triage/index.js';
import { escapeMrkdwn } from './escape.js';

const networkLabel: Record<string, string> = { twitter: ':bird: X', discord: ':speech_balloon: Discord', webhook: ':link: Webhook' };
const sentimentEmoji: Record<TriageResult['sentiment']['label'], string> = {
  negative: ':red_circle:',
  neutral: ':white_circle:',
  positive: ':large_green_circle:',
};

/** Marks a message as carebot's card for a mention, so a retry can find it instead of posting again. */
export const cardMetadata = (mentionId: number) => ({
  event_type: 'carebot_mention',
  event_payload: { mention_id: mentionId },
});

const compact = (n: number) =>
  n >= 1_000_000 ? `${(n / 1_000_000).toFixed(1)}M` : n >= 1_000 ? `${(n / 1_000).toFixed(1)}k` : String(n);

function authorLine(m: MentionRow): string {
  const handle = escapeMrkdwn(m.authorHandle ?? 'unknown');
  const who = m.authorUrl ? `<${m.authorUrl}|@${handle}>` : `@${handle}`;
  const name = m.authorName ? ` (${escapeMrkdwn(m.authorName)})` : '';
  const followers = m.authorFollowers != null ? ` · ${compact(m.authorFollowers)} followers` : '';
  return `${networkLabel[m.platform] ?? m.platform} · *${who}*${name}${followers}`;
}

function badges(t: TriageResult): string {
  const flags = [t.complaint && 'complaint', t.needsResponse && 'needs reply'].filter(Boolean).join(' · ');
  return [
    `*${t.priority}*`,
    `${sentimentEmoji[t.sentiment.label]} ${t.sentiment.label} ${t.sentiment.score}`,
    `\`${t.category}\``,
    t.language,
    flags,
  ]
    .filter(Boolean)
    .join('  ·  ');
}

const quote = (text: string) => escapeMrkdwn(text).replace(/^/gm, '>');

/** The card a new conversation starts with. */
export function mentionCard(m: MentionRow, t: TriageResult): { text: string; blocks: KnownBlock[] } {
  const original = m.url ? `<${m.url}|View original>` : 'no link';
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: authorLine(m) } },
    { type: 'section', text: { type: 'mrkdwn', text: quote(m.text ?? '') } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: badges(t) }] },
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `${original} · ${t.reasons.map(escapeMrkdwn).join(' · ') || 'no triage reasons'}` }],
    },
  ];
  // The notification text is what phones and screen readers show: make it stand alone.
  const text = `${t.priority} ${m.platform} @${m.authorHandle}: ${(m.text ?? '').slice(0, 150)}`;
  return { text, blocks };
}

/** A customer's follow-up in a conversation that already has a card: a reply in its thread. */
export function followUpMessage(m: MentionRow, t: TriageResult): { text: string; blocks: KnownBlock[] } {
  return {
    text: `@${m.authorHandle}: ${(m.text ?? '').slice(0, 150)}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*@${escapeMrkdwn(m.authorHandle ?? '')}* wrote:\n${quote(m.text ?? '')}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: badges(t) }] },
    ],
  };
}
