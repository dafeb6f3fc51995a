import type { App, BlockAction, StaticSelectAction, ViewOutput } from '@slack/bolt';
import { networks } from '../../../connectors/networks.js';
import type { Ctx, SlackCtx } from '../../context.js';
import { actionIds, viewIds } from '../views/action-ids.js';
import { agentName } from '../api/agent-name.js';
import { fillCanned } from '../views/canned-replies.js';
import type { ThreadRow } from '../../db/rows.js';
import { cardMentionId } from '../views/card.js';
import { clearReplying, markReplying, otherReplier, replyByOtherSince } from '../inbox/collision.js';
import { latestMention, threadOfMention } from '../inbox/conversation.js';
import { refusal } from '../inbox/roles.js';
import { conversationSubject } from '../../db/audit.js';
import { replyMetaSchema, replyModal, replyTextActionId, replyTextBlockId, type ReplyMeta } from '../views/reply-modal-view.js';
import { replyKeys, requestReply, type ReplyCtx } from '../inbox/request-reply.js';

/** Why this agent cannot answer this conversation from Slack at all, before a modal opens. */
async function cannotReply(
  s: SlackCtx<'config' | 'log' | 'db' | 'connectors'>,
  thread: ThreadRow,
  user: string,
): Promise<string | undefined> {
  if (s.config.file.slack.alertsOnly.includes(thread.channel))
    return 'This channel is alerts-only: replies from it do not reach customers. Nothing was sent.';
  if (!s.connectors[thread.platform])
    return `${networks[thread.platform].name} is not connected to carebot, so replies cannot be sent. Nothing was sent.`;
  return refusal(s, user, 'agent', 'reply to customers', conversationSubject(thread));
}

async function render(
  s: Ctx<'config' | 'db' | 'connectors'>,
  thread: ThreadRow,
  user: string,
  meta: ReplyMeta,
  text?: string,
  lateReply?: { by: string; text: string },
) {
  const customer = await latestMention(s.db, thread);
  return replyModal({
    meta,
    customer,
    network: networks[thread.platform].name,
    limit: s.connectors[thread.platform]?.limits.textLength ?? 0,
    cannedNames: s.config.file.slack.cannedReplies.map((c) => c.name),
    text,
    otherReplier: otherReplier(thread, user),
    lateReply,
  });
}

/**
 * Opens the reply modal on a conversation (the card's Reply button, or the "Send to customer"
 * shortcut with the message's words) and shows on the card that this agent is writing.
 */
export async function openReplyModal(
  s: SlackCtx<'config' | 'log' | 'db' | 'connectors'>,
  opts: { triggerId: string; thread: ThreadRow; user: string; channel: string; text?: string },
): Promise<void> {
  const { thread, user } = opts;
  const refused = await cannotReply(s, thread, user);
  if (refused) {
    await s.slack.chat.postEphemeral({
      channel: opts.channel,
      thread_ts: thread.threadTs ?? undefined,
      user,
      text: refused,
    });
    return;
  }
  const meta: ReplyMeta = { mentionId: thread.rootMentionId, openedAt: Date.now(), warnedAbout: otherReplier(thread, user), version: 0 };
  await s.slack.views.open({ trigger_id: opts.triggerId, view: await render(s, thread, user, meta, opts.text) });
  await markReplying(s, thread, user);
}

const metaOf = (view: ViewOutput): ReplyMeta | undefined => {
  try {
    return replyMetaSchema.parse(JSON.parse(view.private_metadata));
  } catch {
    return undefined;
  }
};

const textOf = (view: ViewOutput, meta: ReplyMeta): { blockId: string; text: string } => {
  const blockId = replyTextBlockId(meta);
  return { blockId, text: view.state.values[blockId]?.[replyTextActionId]?.value ?? '' };
};

export function onReplyModal(app: App, s: ReplyCtx): void {
  app.action<BlockAction>(actionIds.reply, async ({ ack, body, action }) => {
    await ack();
    const mentionId = cardMentionId('block_id' in action ? action.block_id : undefined);
    const thread = mentionId && (await threadOfMention(s.db, mentionId));
    if (!thread || !body.channel) return;
    await openReplyModal(s, { triggerId: body.trigger_id, thread, user: body.user.id, channel: body.channel.id });
  });

  // A canned reply fills the text box, with the customer's handle and the agent's name in place.
  app.action<BlockAction<StaticSelectAction>>(actionIds.canned, async ({ ack, body, action }) => {
    await ack();
    const view = body.view;
    const meta = view && metaOf(view);
    const canned = s.config.file.slack.cannedReplies[Number(action.selected_option.value)];
    const thread = meta && (await threadOfMention(s.db, meta.mentionId));
    if (!view || !meta || !canned || !thread) return;
    const customer = await latestMention(s.db, thread);
    const text = fillCanned(canned.text, { customer: `@${customer.authorHandle}`, agent: await agentName(s.slack, body.user.id) });
    const next = { ...meta, version: meta.version + 1 };
    await s.slack.views.update({ view_id: view.id, hash: view.hash, view: await render(s, thread, body.user.id, next, text) });
  });

  app.view(viewIds.reply, async ({ ack, body, view }) => {
    const meta = metaOf(view);
    const thread = meta && (await threadOfMention(s.db, meta.mentionId));
    if (!meta || !thread) {
      await ack({
        response_action: 'errors',
        errors: { [replyTextBlockId(meta ?? { version: 0 })]: 'This conversation no longer exists in carebot.' },
      });
      return;
    }
    const user = body.user.id;
    const { blockId, text } = textOf(view, meta);

    // Someone else started replying, or already replied, since this agent was last told: say so first.
    const other = otherReplier(thread, user);
    const late = await replyByOtherSince(s.db, thread, user, new Date(meta.openedAt));
    if ((other && other !== meta.warnedAbout) || (late && late.id !== meta.warnedReply)) {
      const next = { ...meta, warnedAbout: other ?? meta.warnedAbout, warnedReply: late?.id ?? meta.warnedReply };
      await ack({ response_action: 'update', view: await render(s, thread, user, next, text, late) });
      return;
    }

    const outcome = await requestReply(s, { thread, text, user, idempotencyKey: replyKeys.modal(view.id) });
    if (!outcome.ok) {
      await ack({ response_action: 'errors', errors: { [blockId]: outcome.reason } });
      return;
    }
    await ack();
  });

  app.view({ callback_id: viewIds.reply, type: 'view_closed' }, async ({ ack, body, view }) => {
    await ack();
    const meta = metaOf(view);
    const thread = meta && (await threadOfMention(s.db, meta.mentionId));
    if (thread) await clearReplying(s, thread, body.user.id);
  });
}
