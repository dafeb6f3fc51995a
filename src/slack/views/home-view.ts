import type { HomeView, KnownBlock } from '@slack/web-api';
import { networks } from '../../../connectors/networks.js';
import { actionIds } from './action-ids.js';
import { escapeMrkdwn } from './escape.js';
import { slackLink } from './link.js';
import { truncate } from '../../shared/fit-text.js';
import type { HomeData, HomeItem } from '../inbox/home-data.js';

const sentimentOrder = ['negative', 'neutral', 'positive'];

const header = (text: string): KnownBlock => ({ type: 'header', text: { type: 'plain_text', text } });
const mrkdwn = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });

function line(item: HomeItem, link: string): string {
  const who = item.assignee ? ` · <@${item.assignee}>` : '';
  const words = escapeMrkdwn(truncate((item.text ?? '').replace(/\s+/g, ' '), 90));
  return `*${item.priority ?? '–'}* ${networks[item.platform].emoji} *@${escapeMrkdwn(item.handle ?? '')}* ${words} · ${slackLink(link, 'open')}${who}`;
}

function list(items: HomeItem[], links: Map<HomeItem, string>, empty: string): KnownBlock {
  return mrkdwn(items.length ? items.map((i) => line(i, links.get(i)!)).join('\n') : `_${empty}_`);
}

const tally = (counts: Record<string, number>, order: string[] = []) =>
  Object.entries(counts)
    .sort(([a], [b]) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || a.localeCompare(b))
    .map(([k, n]) => `${k} *${n}*`)
    .join(' · ') || '_none_';

/**
 * The conversations incidents are handling, per incident: their follow-ups will answer them and
 * close their cards, so they are not the team's to answer. Shown only while there are any.
 */
function linkedToIncidents(d: HomeData): KnownBlock[] {
  if (!d.linkedToIncidents.length) return [];
  const total = d.linkedToIncidents.reduce((a, i) => a + i.n, 0);
  const lines = d.linkedToIncidents.map((i) => `*#${i.id}* ${escapeMrkdwn(truncate(i.title, 120))} · *${i.n}*`);
  return [
    { type: 'divider' },
    header(`Linked to incidents (${total})`),
    {
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: "Not counted as unassigned or breached: each card closes when its customer's follow-up is sent." },
      ],
    },
    mrkdwn(lines.join('\n')),
  ];
}

/** The App Home tab: links go to each conversation's card. */
export function homeView(d: HomeData, links: Map<HomeItem, string>): HomeView {
  const unassignedTotal = Object.values(d.unassignedByPriority).reduce((a, b) => a + (b ?? 0), 0);
  return {
    type: 'home',
    blocks: [
      header('carebot inbox'),
      {
        type: 'actions',
        elements: [{ type: 'button', text: { type: 'plain_text', text: 'Refresh' }, action_id: actionIds.homeRefresh }],
      },
      header(`My open assignments (${d.mine.length})`),
      list(d.mine, links, 'Nothing assigned to you.'),
      { type: 'divider' },
      header(`Unassigned (${unassignedTotal})`),
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: tally(d.unassignedByPriority as Record<string, number>, ['P1', 'P2', 'P3', 'P4']) }],
      },
      list(d.unassigned, links, 'Every open conversation has an owner.'),
      ...linkedToIncidents(d),
      { type: 'divider' },
      header(`SLA breaches (${d.breaches.length})`),
      list(d.breaches, links, 'No open conversation is past its first-response target.'),
      { type: 'divider' },
      header(`Today: ${d.today.total} mentions`),
      mrkdwn(`*By sentiment:* ${tally(d.today.bySentiment, sentimentOrder)}\n*By network:* ${tally(d.today.byNetwork)}`),
    ],
  };
}
