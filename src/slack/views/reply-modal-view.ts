import type { KnownBlock, ModalView } from '@slack/web-api';
import { z } from 'zod';
import type { MentionRow } from '../../db/rows.js';
import { actionIds, viewIds } from './action-ids.js';
import { escapeMrkdwn, quote } from './escape.js';
import { fitRendered, truncate } from '../../shared/fit-text.js';
import { modal } from './modal.js';

/** What the reply modal carries between opening, a canned reply filling it, and Send. */
export const replyMetaSchema = z.object({
  /** The conversation's first mention: the card's id. */
  mentionId: z.number().int().positive(),
  /** When the agent started writing (ms), to notice a reply another agent sent meanwhile. */
  openedAt: z.number(),
  /** The agent this one was already warned is replying, so Send is not stopped twice for them. */
  warnedAbout: z.string().optional(),
  /** The late reply by another agent this one was already shown. */
  warnedReply: z.number().optional(),
  /** Bumped when a canned reply replaces the text: a new block id makes Slack show the new value. */
  version: z.number().int().default(0),
});
export type ReplyMeta = z.infer<typeof replyMetaSchema>;

export interface ReplyModalContent {
  meta: ReplyMeta;
  /** The customer's latest message, which the reply is threaded under. */
  customer: MentionRow;
  network: string;
  limit: number;
  cannedNames: string[];
  text?: string;
  /** Who else is writing to this customer right now. */
  otherReplier?: string;
  /** A reply another agent sent while this one was writing. */
  lateReply?: { by: string; text: string };
}

export const replyTextBlockId = (meta: Pick<ReplyMeta, 'version'>) => `reply_text_${meta.version}`;
export const replyTextActionId = 'text';

export function replyModal(c: ReplyModalContent): ModalView {
  const handle = escapeMrkdwn(c.customer.authorHandle ?? 'the customer');
  const warnings: KnownBlock[] = [];
  if (c.otherReplier) {
    warnings.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `:pencil2: *<@${c.otherReplier}> is replying to this customer right now.* Send only if yours should go too.`,
      },
    });
  }
  if (c.lateReply) {
    const said = fitRendered(c.lateReply.text, quote, 2500);
    warnings.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `:speech_balloon: *<@${c.lateReply.by}> replied while you were writing:*\n${said}\nSend again to send yours as well.`,
      },
    });
  }
  const canned: KnownBlock[] = c.cannedNames.length
    ? [
        {
          type: 'actions',
          block_id: 'canned',
          elements: [
            {
              type: 'static_select',
              action_id: actionIds.canned,
              placeholder: { type: 'plain_text', text: 'Use a canned reply…' },
              options: c.cannedNames
                .slice(0, 100)
                .map((name, i) => ({ text: { type: 'plain_text', text: truncate(name, 75) }, value: String(i) })),
            },
          ],
        },
      ]
    : [];
  return modal({
    callbackId: viewIds.reply,
    notifyOnClose: true,
    metadata: JSON.stringify(c.meta),
    title: 'Reply to customer',
    submit: 'Send',
    blocks: [
      {
        type: 'context',
        elements: [
          { type: 'mrkdwn', text: `On ${c.network} to *@${handle}*, threaded under their latest message · up to ${c.limit} characters` },
        ],
      },
      { type: 'section', text: { type: 'mrkdwn', text: fitRendered(c.customer.text ?? '', quote, 3000) } },
      ...warnings,
      ...canned,
      {
        type: 'input',
        block_id: replyTextBlockId(c.meta),
        label: { type: 'plain_text', text: 'Your reply' },
        element: {
          type: 'plain_text_input',
          action_id: replyTextActionId,
          multiline: true,
          ...(c.text ? { initial_value: truncate(c.text, 3000) } : {}),
        },
      },
    ],
  });
}
