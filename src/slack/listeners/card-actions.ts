import type { App, BlockAction, ButtonAction, OverflowAction, UsersSelectAction } from '@slack/bolt';
import { audit, conversationSubject, type AuditAction } from '../../db/audit.js';
import { loadMention } from '../../db/mention-row.js';
import type { SlackCtx } from '../../context.js';
import { actionIds } from '../views/action-ids.js';
import { cardMentionId, moreOptions, type MoreOption } from '../views/card.js';
import { isAnalyzed, type ThreadInsert, type ThreadRow } from '../../db/rows.js';
import { recordSpam } from '../inbox/corrections.js';
import { refreshCard, reopenedStatus, secondsSinceOpened, threadOfMention, updateThread } from '../inbox/conversation.js';
import { openEscalateModal } from './escalate-modal.js';
import { openReclassifyModal } from './reclassify-modal.js';
import { refusal } from '../inbox/roles.js';

type Change = Partial<ThreadInsert>;

const assignTo = (t: ThreadRow, user: string): Change => ({ assignee: user, status: t.status === 'new' ? 'assigned' : t.status });
/** What Resolve (or Mark spam) sets: also what an incident's sent follow-up does to the cards it settles. */
export const close = (status: 'resolved' | 'spam'): Change => ({
  status,
  resolvedAt: new Date(),
  resolutionSeconds: secondsSinceOpened(),
  replyingUser: null,
  replyingSince: null,
});

type CardAction = Extract<AuditAction, 'assign' | 'resolve' | 'reopen' | MoreOption>;
const verbs: Record<CardAction, string> = {
  assign: 'assign conversations',
  resolve: 'resolve conversations',
  reopen: 'reopen conversations',
  spam: 'mark conversations as spam',
  reclassify: 'reclassify conversations',
  escalate: 'escalate conversations',
};

/**
 * The card's buttons, for agents only. Each sits in the card's actions block, which names the
 * conversation's first mention; the conversation row is the state, the card is re-rendered from
 * it, and every change is audited with the Slack user who made it.
 */
export function onCardActions(app: App, s: SlackCtx<'config' | 'log' | 'db'>): void {
  /** The conversation behind a click, once the clicker is known to be an agent (else told why not). */
  const allowed = async (body: BlockAction, blockId: string, action: CardAction) => {
    const mentionId = cardMentionId(blockId);
    const thread = mentionId && (await threadOfMention(s.db, mentionId));
    if (!thread) return undefined;
    const refused = await refusal(s, body.user.id, 'agent', verbs[action], conversationSubject(thread));
    if (!refused) return thread;
    if (body.channel) {
      await s.slack.chat.postEphemeral({
        channel: body.channel.id,
        thread_ts: thread.threadTs ?? undefined,
        user: body.user.id,
        text: refused,
      });
    }
    return undefined;
  };
  const change = async (body: BlockAction, thread: ThreadRow | undefined, action: CardAction, next: (t: ThreadRow) => Change) => {
    if (!thread) return;
    const updated = await updateThread(s.db, thread, next(thread));
    await audit(s.db, body.user.id, action, conversationSubject(thread), {
      from: { status: thread.status, assignee: thread.assignee },
      to: { status: updated.status, assignee: updated.assignee },
    });
    await refreshCard(s, updated);
  };

  app.action<BlockAction<ButtonAction>>(actionIds.assignMe, async ({ ack, body, action }) => {
    await ack();
    await change(body, await allowed(body, action.block_id, 'assign'), 'assign', (t) => assignTo(t, body.user.id));
  });
  app.action<BlockAction<UsersSelectAction>>(actionIds.assign, async ({ ack, body, action }) => {
    await ack();
    const user = action.selected_user;
    if (user) await change(body, await allowed(body, action.block_id, 'assign'), 'assign', (t) => assignTo(t, user));
  });
  app.action<BlockAction<ButtonAction>>(actionIds.resolve, async ({ ack, body, action }) => {
    await ack();
    await change(body, await allowed(body, action.block_id, 'resolve'), 'resolve', () => close('resolved'));
  });
  app.action<BlockAction<ButtonAction>>(actionIds.reopen, async ({ ack, body, action }) => {
    await ack();
    await change(body, await allowed(body, action.block_id, 'reopen'), 'reopen', (t) => ({ status: reopenedStatus(t), resolvedAt: null }));
  });
  app.action<BlockAction<OverflowAction>>(actionIds.more, async ({ ack, body, action }) => {
    await ack();
    const what = action.selected_option.value as MoreOption;
    if (!Object.hasOwn(moreOptions, what)) return;
    const thread = await allowed(body, action.block_id, what);
    if (!thread) return;
    if (what === 'reclassify') await openReclassifyModal(s, body.trigger_id, thread.rootMentionId);
    else if (what === 'escalate') await openEscalateModal(s, body.trigger_id, thread.rootMentionId);
    else {
      const root = await loadMention(s.db, thread.rootMentionId);
      if (isAnalyzed(root)) await recordSpam(s.db, root, body.user.id);
      await change(body, thread, 'spam', () => close('spam'));
    }
  });
}
