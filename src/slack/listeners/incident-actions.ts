import type { App, BlockAction, ButtonAction, ViewOutput } from '@slack/bolt';
import type { z } from 'zod';
import { incidentStates, type IncidentState } from '../../db/schema.js';
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
import { may } from '../inbox/permissions.js';

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

/** `/carebot incident`: the declare modal. */
export const incidentCommand: Subcommand = {
  usage: '/carebot incident – declare an incident (status updates, broadcasts, follow-ups)',
  async run(s, cmd) {
    await s.slack.views.open({ trigger_id: cmd.trigger_id, view: declareModal({ channel: cmd.channel_id }) });
    return 'Opening the incident form…';
  },
};

/**
 * The incident lifecycle from Slack: declare (command or the spike alert's button), post
 * updates, resolve, and the explicit Broadcast / Don't broadcast choice on each update's preview.
 */
export function onIncidentActions(app: App, s: SlackCtx<'config' | 'log' | 'db' | 'queues' | 'connectors'>): void {
  app.action<BlockAction<ButtonAction>>(actionIds.declareIncident, async ({ ack, body, action }) => {
    await ack();
    const { spikeId, ...prefill } = (await draftFromSpike(s.db, Number(action.value))) ?? {};
    await s.slack.views.open({
      trigger_id: body.trigger_id,
      view: declareModal({ spikeId, channel: body.channel?.id }, prefill),
    });
  });

  app.view(viewIds.incident, async ({ ack, body, view }) => {
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
    const { incident, update, acknowledge } = await declare(s, {
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
  });

  const openUpdate =
    (state: IncidentState) =>
    async ({ ack, body, action }: { ack: () => Promise<void>; body: BlockAction; action: ButtonAction }) => {
      await ack();
      const incident = await loadIncident(s.db, Number(action.value));
      if (!incident) return;
      await s.slack.views.open({
        trigger_id: body.trigger_id,
        view: updateModal(updateMeta(incident.id), state === 'resolved' ? 'resolved' : incident.state, incident.title),
      });
    };
  app.action<BlockAction<ButtonAction>>(actionIds.postUpdate, openUpdate('investigating'));
  app.action<BlockAction<ButtonAction>>(actionIds.resolveIncident, openUpdate('resolved'));

  app.view(viewIds.incidentUpdate, async ({ ack, body, view }) => {
    const meta = metaOf(updateMetaSchema, view);
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
    if (!(await may(s.slack, s.config.file.slack, user, 'broadcast'))) {
      await s.slack.chat.postEphemeral({
        ...where,
        text: 'You are not allowed to broadcast (see `slack.permissions.broadcast` in the carebot config). Nothing was posted.',
      });
      return;
    }
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
    const decided = await chooseBroadcast(s, Number(action.value), 'skipped', body.user.id);
    const incident = decided && (await loadIncident(s.db, decided.incidentId));
    if (decided && incident) await refreshPreview(s, withCard(incident), decided);
  });
}
