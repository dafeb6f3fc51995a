import type { KnownBlock } from '@slack/web-api';
import { networks } from '../../../connectors/networks.js';
import type { Platform } from '../../mention.js';
import type { LengthCheck } from '../../incidents/lengths.js';
import type { Broadcast, Incident, IncidentUpdate } from '../../db/rows.js';
import { actionIds } from './action-ids.js';
import { escapeMrkdwn, quote } from './escape.js';
import { slackLink } from './link.js';
import { fitRendered } from '../../shared/fit-text.js';
import { stateName } from './incident-modal.js';

const stateIcon = {
  investigating: ':red_circle:',
  identified: ':large_orange_circle:',
  monitoring: ':large_yellow_circle:',
  resolved: ':large_green_circle:',
} as const;
const network = (p: Platform) => networks[p].name;

/** The incident's card in the status channel: its current state in the header; its thread holds the story. */
export function incidentCard(i: Incident, linked: number): { text: string; blocks: KnownBlock[] } {
  const text = `${stateIcon[i.state]} Incident #${i.id}: ${escapeMrkdwn(i.title)} — ${stateName(i.state)}`;
  const facts = [
    i.components.length ? `components: ${i.components.map(escapeMrkdwn).join(', ')}` : '',
    i.keywords.length ? `keywords: ${i.keywords.map((k) => `'${escapeMrkdwn(k)}'`).join(', ')}` : '',
    `declared by <@${i.createdBy}>`,
    `${linked} linked mention(s)`,
  ].filter(Boolean);
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${text}*` } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: facts.join(' · ') }] },
  ];
  if (i.state !== 'resolved') {
    blocks.push({
      type: 'actions',
      elements: [
        { type: 'button', text: { type: 'plain_text', text: 'Post update' }, action_id: actionIds.postUpdate, value: String(i.id) },
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Resolve incident' },
          action_id: actionIds.resolveIncident,
          value: String(i.id),
        },
      ],
    });
  }
  return { text, blocks };
}

const lengthLine = (c: LengthCheck) =>
  c.fits
    ? `:white_check_mark: ${network(c.platform)}: ${c.length}/${c.limit} characters`
    : `:x: Too long for ${network(c.platform)}: ${c.length} characters, the limit is ${c.limit}`;

/**
 * An update as it would go out, with each network's length checked, and the explicit choice:
 * Broadcast (only when every network takes it) or Don't broadcast. Once decided, the buttons
 * give way to who decided.
 */
export function updatePreview(u: IncidentUpdate, checks: LengthCheck[]): { text: string; blocks: KnownBlock[] } {
  const text = `Update (${stateName(u.state)}) by <@${u.author}>`;
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: fitRendered(u.publicText, (t) => `*${text}* — public message:\n${quote(t)}`) } },
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: checks.length ? checks.map(lengthLine).join('\n') : 'No network to broadcast to is connected.' }],
    },
  ];
  if (u.decision) {
    const how = u.decision === 'broadcast' ? ':mega: Broadcast' : ':no_bell: Not broadcast';
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `${how} — <@${u.decidedBy}>` }] });
    return { text, blocks };
  }
  const fits = checks.length > 0 && checks.every((c) => c.fits);
  blocks.push({
    type: 'actions',
    elements: [
      ...(fits
        ? [
            {
              type: 'button' as const,
              style: 'primary' as const,
              text: { type: 'plain_text' as const, text: 'Broadcast' },
              action_id: actionIds.broadcast,
              value: String(u.id),
            },
          ]
        : []),
      { type: 'button', text: { type: 'plain_text', text: "Don't broadcast" }, action_id: actionIds.dontBroadcast, value: String(u.id) },
    ],
  });
  if (!fits && checks.length)
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'Shorten it with *Post update* to broadcast it.' }] });
  return { text, blocks };
}

const resultLine = (b: Broadcast) =>
  b.state === 'sent'
    ? `:white_check_mark: ${network(b.platform)}: ${b.url ? slackLink(b.url, 'posted') : 'posted'}`
    : `:${b.state === 'unknown' ? 'warning' : 'x'}: ${network(b.platform)}: ${escapeMrkdwn(b.error ?? b.state)}`;

/** How each network took a broadcast, in the incident's thread. */
export function broadcastResults(results: Broadcast[]): { text: string; blocks: KnownBlock[] } {
  const text = results.map(resultLine).join('\n') || 'Nothing to broadcast to.';
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}
