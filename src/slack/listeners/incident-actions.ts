import type { App, BlockAction, ButtonAction, ViewOutput } from '@slack/bolt';
import type { z } from 'zod';
import { incidentStates, type IncidentState } from '../../db/schema.js';
import type { AuditSubject } from '../../db/audit.js';
import { chooseBroadcast } from '../../incidents/choose-broadcast.js';
import { declare, draftFromSpike } from '../../incidents/declare.js';
import { postUpdate } from '../../incidents/post-update.js';
import { statusChannel } from '../../incidents/settings.js';
import { loadIncident, loadUpdate, withCard } from '../../incidents/store.js';
import type { SlackCtx } from '../../context.js';
import { actionIds, viewIds } from '../views/action-ids.js';
import type { Subcommand } from './command.js';
import { declareMetaSchema, declareModal, field, listOf, updateMeta, updateMetaSchema, updateModal } from '../views/incident-modal.js';
import { postIncidentCard, postUpdatePreview, refreshIncidentCard, refreshPreview } from '../api/incident-thread.js';
import { refusal } from '../inbox/roles.js';
import { refreshCardsOf } from '../inbox/conversation.js';

const metaOf = <T extends z.ZodType>(schema: T, view: ViewOutput): z.infer<T> | undefined => {
  try {
    return schema.parse(JSON.parse(view.private_metadata));
  } catch {
    return undefined;
  }
};
const inputValue = (view: ViewOutput, id: string) => {
  const v = view.state.values[id]?.[id];
  return (v?.selected_option?.value ?? v?.value ?? '').trim();
};

const DECLARE = 'declare incidents';
const UPDATE = 'post incident updates';
const BROADCAST = 'decide what is broadcast';
const newIncident = { type: 'incident', id: 'new' } as const;

/** `/carebot incident`: the declare modal, for leads. */
export const incidentCommand: Subcommand = {
  usage: '/carebot incident – declare an incident (status updates, broadcasts, follow-ups); leads only',
  async run(s, cmd) {
    const refused = await refusal(s, cmd.user_id, 'lead', DECLARE, newIncident);
    if (refused) return refused;
    await s.slack.views.open({ trigger_id: cmd.trigger_id, view: declareModal({ channel: cmd.channel_id }) });
    return 'Opening the incident form…';
  },
};

/**
 * The incident lifecycle from Slack: declare (command or the spike alert's button), post
 * updates, resolve, and the explicit Broadcast / Don't broadcast choice on each update's preview.
 */
export function onIncidentActions(app: App, s: SlackCtx<'config' | 'log' | 'db' | 'queues' | 'connectors'>): void {
  /** Undefined when `body.user` is a lead; else they are told who may, where they clicked. */
  const leadOnly = async (body: BlockAction, action: string, subject: AuditSubject) => {
    const refused = await refusal(s, body.user.id, 'lead', action, subject);
    if (refused && body.channel) {
      const thread = body.message?.thread_ts ?? body.message?.ts;
      await s.slack.chat.postEphemeral({ channel: body.channel.id, thread_ts: thread, user: body.user.id, text: refused });
    }
    return refused;
  };

  app.action<BlockAction<ButtonAction>>(actionIds.declareIncident, async ({ ack, body, action }) => {
    await ack();
    if (await leadOnly(body, DECLARE, newIncident)) return;
    const { spikeId, ...prefill } = (await draftFromSpike(s.db, Number(action.value))) ?? {};
    await s.slack.views.open({
      trigger_id: body.trigger_id,
      view: declareModal({ spikeId, channel: body.channel?.id }, prefill),
    });
  });

  app.view(viewIds.incident, async ({ ack, body, view }) => {
    // Roles can change while the form is open: the submission is checked again.
    const refused = await refusal(s, body.user.id, 'lead', DECLARE, newIncident);
    if (refused) {
      await ack({ response_action: 'errors', errors: { [field.title]: refused } });
      return;
    }
    const meta = metaOf(declareMetaSchema, view) ?? {};
    const title = inputValue(view, field.title);
    const publicText = inputValue(view, field.publicText);
    const errors: Record<string, string> = {};
    if (!title) errors[field.title] = 'Give the incident a title.';
    if (!publicText) errors[field.publicText] = 'Write the first public message (it is only previewed until someone presses Broadcast).';
    const channel = statusChannel(s) ?? meta.channel;
    if (!channel) errors[field.title] = 'No status channel is configured (incidents.statusChannel or SLACK_STATUS_CHANNEL).';
    if (!channel || Object.keys(errors).length) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    const { incident, update, linked, acknowledge } = await declare(s, {
      title,
      publicText,
      components: listOf(inputValue(view, field.components)),
      keywords: listOf(inputValue(view, field.keywords)).map((k) => k.toLowerCase()),
      user: body.user.id,
      channel,
      spikeId: meta.spikeId,
    });
    await ack();
    await acknowledge();
    const posted = await postIncidentCard(s, incident);
    await postUpdatePreview(s, posted, update);
    // Complaints carded before the incident now belong to it: their cards say so.
    await refreshCardsOf(
      s,
      linked.map((m) => m.id),
    );
  });

  const openUpdate =
    (state: IncidentState) =>
    async ({ ack, body, action }: { ack: () => Promise<void>; body: BlockAction; action: ButtonAction }) => {
      await ack();
      const incident = await loadIncident(s.db, Number(action.value));
      if (!incident || (await leadOnly(body, UPDATE, { type: 'incident', id: incident.id }))) return;
      await s.slack.views.open({
        trigger_id: body.trigger_id,
        view: updateModal(updateMeta(incident.id), state === 'resolved' ? 'resolved' : incident.state, incident.title),
      });
    };
  app.action<BlockAction<ButtonAction>>(actionIds.postUpdate, openUpdate('investigating'));
  app.action<BlockAction<ButtonAction>>(actionIds.resolveIncident, openUpdate('resolved'));

  app.view(viewIds.incidentUpdate, async ({ ack, body, view }) => {
    const meta = metaOf(updateMetaSchema, view);
    const refused = await refusal(s, body.user.id, 'lead', UPDATE, { type: 'incident', id: meta?.incidentId ?? 'unknown' });
    if (refused) {
      await ack({ response_action: 'errors', errors: { [field.publicText]: refused } });
      return;
    }
    const state = inputValue(view, field.state) as IncidentState;
    const publicText = inputValue(view, field.publicText);
    if (!meta || !publicText || !(incidentStates as readonly string[]).includes(state)) {
      await ack({
        response_action: 'errors',
        errors: { [field.publicText]: meta ? 'Write the public message for this update.' : 'This incident no longer exists in carebot.' },
      });
      return;
    }
    const added = await postUpdate(s, meta.incidentId, { state, publicText, user: body.user.id });
    if (!added) {
      await ack({ response_action: 'errors', errors: { [field.publicText]: 'This incident is already resolved.' } });
      return;
    }
    await ack();
    await refreshIncidentCard(s, added.incident);
    // The form was opened from the incident's card, so it has one to thread the preview under.
    await postUpdatePreview(s, withCard(added.incident), added.update);
  });

  app.action<BlockAction<ButtonAction>>(actionIds.broadcast, async ({ ack, body, action }) => {
    await ack();
    const user = body.user.id;
    const update = await loadUpdate(s.db, Number(action.value));
    const loaded = update && (await loadIncident(s.db, update.incidentId));
    if (!update || !loaded) return;
    // The button is on the update's preview, in the incident card's thread.
    const incident = withCard(loaded);
    const where = { channel: incident.slackChannel, thread_ts: incident.slackTs, user };
    if (await leadOnly(body, BROADCAST, { type: 'update', id: update.id })) return;
    // The first press decides; a second (a double click, another agent) finds it decided.
    const decided = await chooseBroadcast(s, update.id, 'broadcast', user);
    if (!decided) {
      await s.slack.chat.postEphemeral({
        ...where,
        text: `This update was already ${update.decision === 'skipped' ? 'kept from broadcast' : 'broadcast'} by <@${update.decidedBy}>.`,
      });
      return;
    }
    await refreshPreview(s, incident, decided);
  });

  app.action<BlockAction<ButtonAction>>(actionIds.dontBroadcast, async ({ ack, body, action }) => {
    await ack();
    if (await leadOnly(body, BROADCAST, { type: 'update', id: Number(action.value) })) return;
    const decided = await chooseBroadcast(s, Number(action.value), 'skipped', body.user.id);
    const incident = decided && (await loadIncident(s.db, decided.incidentId));
    if (decided && incident) await refreshPreview(s, withCard(incident), decided);
  });
}
