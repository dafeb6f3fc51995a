import type { App, BlockAction, ButtonAction, OverflowAction, UsersSelectAction } from '@slack/bolt';
import { audit, type AuditAction } from '../../db/audit.js';
import { loadMention } from '../../db/mention-row.js';
import type { SlackCtx } from '../../context.js';
import { actionIds } from '../views/action-ids.js';
import { cardMentionId, type MoreOption } from '../views/card.js';
import { isAnalyzed, type ThreadInsert, type ThreadRow } from '../../db/rows.js';
import { recordSpam } from '../inbox/corrections.js';
import { refreshCard, reopenedStatus, secondsSinceOpened, threadOfMention, updateThread } from '../inbox/conversation.js';
import { openEscalateModal } from './escalate-modal.js';
import { openReclassifyModal } from './reclassify-modal.js';

type Change = Partial<ThreadInsert>;

const assignTo = (t: ThreadRow, user: string): Change => ({ assignee: user, status: t.status === 'new' ? 'assigned' : t.status });
const close = (status: 'resolved' | 'spam'): Change => ({
  status,
  resolvedAt: new Date(),
  resolutionSeconds: secondsSinceOpened(),
  replyingUser: null,
  replyingSince: null,
});

/**
 * The card's buttons. Each sits in the card's actions block, which names the conversation's
 * first mention; the conversation row is the state, the card is re-rendered from it, and every
 * change is audited with the Slack user who made it.
 */
export function onCardActions(app: App, s: SlackCtx<'config' | 'db'>): void {
  const change = async (mentionId: number | undefined, user: string, action: AuditAction, next: (t: ThreadRow) => Change) => {
    const thread = mentionId && (await threadOfMention(s.db, mentionId));
    if (!thread) return;
    const updated = await updateThread(s.db, thread, next(thread));
    await audit(
      s.db,
      user,
      action,
      { type: 'conversation', id: `${thread.platform}:${thread.conversationId}` },
      {
        from: { status: thread.status, assignee: thread.assignee },
        to: { status: updated.status, assignee: updated.assignee },
      },
    );
    await refreshCard(s, updated);
  };

  app.action<BlockAction<ButtonAction>>(actionIds.assignMe, async ({ ack, body, action }) => {
    await ack();
    await change(cardMentionId(action.block_id), body.user.id, 'assign', (t) => assignTo(t, body.user.id));
  });
  app.action<BlockAction<UsersSelectAction>>(actionIds.assign, async ({ ack, body, action }) => {
    await ack();
    const user = action.selected_user;
    if (user) await change(cardMentionId(action.block_id), body.user.id, 'assign', (t) => assignTo(t, user));
  });
  app.action<BlockAction<ButtonAction>>(actionIds.resolve, async ({ ack, body, action }) => {
    await ack();
    await change(cardMentionId(action.block_id), body.user.id, 'resolve', () => close('resolved'));
  });
  app.action<BlockAction<ButtonAction>>(actionIds.reopen, async ({ ack, body, action }) => {
    await ack();
    await change(cardMentionId(action.block_id), body.user.id, 'reopen', (t) => ({ status: reopenedStatus(t), resolvedAt: null }));
  });
  app.action<BlockAction<OverflowAction>>(actionIds.more, async ({ ack, body, action }) => {
    await ack();
    const mentionId = cardMentionId(action.block_id);
    if (!mentionId) return;
    const what = action.selected_option.value as MoreOption;
    if (what === 'reclassify') await openReclassifyModal(s, body.trigger_id, mentionId);
    else if (what === 'escalate') await openEscalateModal(s, body.trigger_id, mentionId);
    else if (what === 'spam') {
      const root = await loadMention(s.db, mentionId);
      if (isAnalyzed(root)) await recordSpam(s.db, root, body.user.id);
      await change(mentionId, body.user.id, 'spam', () => close('spam'));
    }
  });
}
