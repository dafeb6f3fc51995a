import type { KnownBlock, ModalView, PlainTextOption } from '@slack/web-api';
import { z } from 'zod';
import { incidentStates, type IncidentState } from '../../db/schema.js';
import { viewIds } from './action-ids.js';
import { modal } from './modal.js';

/** Block ids double as action ids: one input per block. */
export const field = { title: 'title', components: 'components', keywords: 'keywords', publicText: 'public_text', state: 'state' } as const;

const input = (
  id: string,
  label: string,
  o: { initial?: string; multiline?: boolean; optional?: boolean; hint?: string; max?: number } = {},
): KnownBlock => ({
  type: 'input',
  block_id: id,
  optional: o.optional ?? false,
  label: { type: 'plain_text', text: label },
  ...(o.hint ? { hint: { type: 'plain_text', text: o.hint } } : {}),
  element: {
    type: 'plain_text_input',
    action_id: id,
    multiline: o.multiline ?? false,
    ...(o.max ? { max_length: o.max } : {}),
    ...(o.initial ? { initial_value: o.initial } : {}),
  },
});

export const declareMetaSchema = z.object({ spikeId: z.number().int().positive().optional(), channel: z.string().optional() });
export const updateMetaSchema = z.object({ incidentId: z.number().int().positive() });
export const updateMeta = (incidentId: number): z.infer<typeof updateMetaSchema> => ({ incidentId });

/** `/carebot incident` and the alert's Declare incident button: what the incident is and what the public hears first. */
export function declareModal(
  meta: z.infer<typeof declareMetaSchema>,
  prefill: { keywords?: string[]; publicText?: string; title?: string } = {},
): ModalView {
  return modal({
    callbackId: viewIds.incident,
    title: 'Declare incident',
    submit: 'Declare',
    metadata: JSON.stringify(meta),
    blocks: [
      input(field.title, 'Title', { initial: prefill.title, max: 150 }),
      input(field.components, 'Affected components', { optional: true, hint: 'Comma-separated, e.g. login, mobile app' }),
      input(field.keywords, 'Keywords', {
        optional: true,
        initial: prefill.keywords?.join(', '),
        hint: 'Mentions with these words are linked to the incident (comma-separated)',
      }),
      input(field.publicText, 'First public message', {
        multiline: true,
        initial: prefill.publicText,
        hint: 'Previewed in the incident thread; nothing is posted publicly before someone presses Broadcast',
      }),
    ],
  });
}

const stateLabel: Record<IncidentState, string> = {
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
};
export const stateName = (state: IncidentState) => stateLabel[state];
const option = (state: IncidentState): PlainTextOption => ({ text: { type: 'plain_text', text: stateLabel[state] }, value: state });

/** Post update / Resolve incident: the new state and the public message for it. */
export function updateModal(meta: z.infer<typeof updateMetaSchema>, state: IncidentState, title: string): ModalView {
  return modal({
    callbackId: viewIds.incidentUpdate,
    title: state === 'resolved' ? 'Resolve incident' : 'Post update',
    submit: 'Post',
    metadata: JSON.stringify(meta),
    blocks: [
      { type: 'section', text: { type: 'plain_text', text: title } },
      {
        type: 'input',
        block_id: field.state,
        label: { type: 'plain_text', text: 'State' },
        element: { type: 'static_select', action_id: field.state, options: incidentStates.map(option), initial_option: option(state) },
      },
      input(field.publicText, 'Public message', {
        multiline: true,
        initial: state === 'resolved' ? `Resolved: ${title}. Thank you for your patience.` : undefined,
      }),
    ],
  });
}

/** A comma-separated field as a clean list. */
export const listOf = (text: string | null | undefined) => [
  ...new Set(
    (text ?? '')
      .split(',')
      .map((w) => w.trim())
      .filter(Boolean),
  ),
];
