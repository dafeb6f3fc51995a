import type { KnownBlock } from '@slack/web-api';
import type { Spike } from '../../db/rows.js';
import { actionIds } from './action-ids.js';
import { escapeMrkdwn } from './escape.js';
import { slackLink } from './link.js';
import { truncate } from '../../shared/fit-text.js';

export interface SpikeSample {
  handle: string | null;
  text: string | null;
  url: string | null;
}

const usual = (expected: number) => (expected < 1 ? 'under 1' : String(Math.round(expected)));
const quoteLine = (m: SpikeSample, max: number) =>
  `*@${escapeMrkdwn(m.handle ?? 'unknown')}*: ${escapeMrkdwn(truncate((m.text ?? '').replace(/\s+/g, ' '), max))}${m.url ? ` ${slackLink(m.url, '↗')}` : ''}`;

/**
 * The one card a spike gets, edited in place as it grows and when it ends: what surged, how far
 * above usual, a few of the mentions, and the button that turns it into an incident.
 */
export function spikeAlert(
  sp: Spike,
  facts: { windowMinutes: number; mentions: number; samples: SpikeSample[] },
): { text: string; blocks: KnownBlock[] } {
  const what = `${sp.count} negative mentions about '${sp.term}' in ${facts.windowMinutes} min (usual: ${usual(sp.expected)})`;
  // The term is a customer's word: escaped once, here, for the notification text and the blocks alike.
  const text =
    sp.status === 'open'
      ? `:rotating_light: Possible outage: ${escapeMrkdwn(what)}`
      : `:white_check_mark: Spike over: '${escapeMrkdwn(sp.term)}' (peak ${sp.peak} in ${facts.windowMinutes} min)`;
  const context = [
    sp.related.length ? `also: ${sp.related.map((t) => `'${escapeMrkdwn(t)}'`).join(', ')}` : '',
    `since <!date^${Math.floor(sp.openedAt.getTime() / 1000)}^{time}|${sp.openedAt.toISOString()}>`,
    `${facts.mentions} collapsed into the thread`,
  ].filter(Boolean);
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${text}*` } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: context.join(' · ') }] },
  ];
  if (facts.samples.length) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: facts.samples.map((m) => `>${quoteLine(m, 200)}`).join('\n') } });
  }
  if (sp.incidentId) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `:link: Linked to incident #${sp.incidentId}` }] });
  } else if (sp.status === 'open') {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          style: 'danger',
          text: { type: 'plain_text', text: 'Declare incident' },
          action_id: actionIds.declareIncident,
          value: String(sp.id),
        },
      ],
    });
  }
  return { text, blocks };
}

const DIGEST_LINES = 10;

/** New mentions of a spike since the last digest, as one message in the alert's thread. */
export function spikeDigest(term: string, rows: SpikeSample[], total: number): { text: string; blocks: KnownBlock[] } {
  const text = `${total} more about '${escapeMrkdwn(term)}' since the last digest`;
  const lines = rows.slice(0, DIGEST_LINES).map((m) => `• ${quoteLine(m, 140)}`);
  if (total > lines.length) lines.push(`_…and ${total - lines.length} more_`);
  return {
    text,
    blocks: [
      { type: 'context', elements: [{ type: 'mrkdwn', text: `:inbox_tray: ${text}` }] },
      { type: 'section', text: { type: 'mrkdwn', text: truncate(lines.join('\n'), 3000) } },
    ],
  };
}
