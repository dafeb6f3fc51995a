import type { App, BlockAction, ButtonAction, ViewOutput } from '@slack/bolt';
import { eq } from 'drizzle-orm';
import type { z } from 'zod';
import { incidentStates, spikes, type IncidentState } from '../../db/schema.js';
import { queueBroadcast, storeBroadcasts } from '../../incidents/broadcast.js';
import { queueReplies, storeFollowUps } from '../../incidents/follow-ups.js';
import { acknowledgeLinked, linkEarlier } from '../../incidents/link.js';
import { statusChannel } from '../../incidents/settings.js';
import { addUpdate, decide, declareIncident, loadIncident, loadUpdate } from '../../incidents/store.js';
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
    const [spike] = await s.db
      .select()
      .from(spikes)
      .where(eq(spikes.id, Number(action.value)));
    const prefill = spike
      ? {
          title: `Problems with ${spike.term}`,
          keywords: [spike.term, ...spike.related],
          publicText: `We're aware some customers are having trouble with ${spike.term}. We're investigating and will post updates here.`,
        }
      : {};
    await s.slack.views.open({
      trigger_id: body.trigger_id,
      view: declareModal({ spikeId: spike?.id, channel: body.channel?.id }, prefill),
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
    if (Object.keys(errors).length) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    const { incident, update, linked } = await declareIncident(
      s.db,
      {
        title,
        publicText,
        components: listOf(inputValue(view, field.components)),
        keywords: listOf(inputValue(view, field.keywords)).map((k) => k.toLowerCase()),
        user: body.user.id,
        channel: channel!,
        spikeId: meta.spikeId,
      },
      linkEarlier,
    );
    await ack();
    await acknowledgeLinked(s, linked, new Map(linked.map((m) => [m.id, incident])));
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
    let followUps: number[] = [];
    const added = await addUpdate(
      s.db,
      meta.incidentId,
      { state, publicText, user: body.user.id },
      async (tx, i) => (followUps = await storeFollowUps(s, tx, i)),
    );
    if (!added) {
      await ack({ response_action: 'errors', errors: { [field.publicText]: 'This incident is already resolved.' } });
      return;
    }
    await ack();
    await queueReplies(s, followUps);
    await refreshIncidentCard(s, added.incident);
    await postUpdatePreview(s, added.incident, added.update);
  });

  app.action<BlockAction<ButtonAction>>(actionIds.broadcast, async ({ ack, body, action }) => {
    await ack();
    const user = body.user.id;
    const update = await loadUpdate(s.db, Number(action.value));
    const incident = update && (await loadIncident(s.db, update.incidentId));
    if (!update || !incident) return;
    const where = { channel: incident.slackChannel!, thread_ts: incident.slackTs!, user };
    if (!(await may(s.slack, s.config.file.slack, user, 'broadcast'))) {
      await s.slack.chat.postEphemeral({
        ...where,
        text: 'You are not allowed to broadcast (see `slack.permissions.broadcast` in the carebot config). Nothing was posted.',
      });
      return;
    }
    // The first press decides; a second (a double click, another agent) finds it decided.
    const decided = await decide(s.db, update.id, 'broadcast', user, (tx, u) => storeBroadcasts(s, tx, u, user));
    if (!decided) {
      await s.slack.chat.postEphemeral({
        ...where,
        text: `This update was already ${update.decision === 'skipped' ? 'kept from broadcast' : 'broadcast'} by <@${update.decidedBy}>.`,
      });
      return;
    }
    // A worker sends it and posts the results: this process may not have the networks logged in.
    await queueBroadcast(s, decided.id);
    await refreshPreview(s, incident, decided);
  });

  app.action<BlockAction<ButtonAction>>(actionIds.dontBroadcast, async ({ ack, body, action }) => {
    await ack();
    const decided = await decide(s.db, Number(action.value), 'skipped', body.user.id);
    const incident = decided && (await loadIncident(s.db, decided.incidentId));
    if (decided && incident) await refreshPreview(s, incident, decided);
  });
}
