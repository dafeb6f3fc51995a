import type { App } from '@slack/bolt';
import type { KnownBlock, ModalView, PlainTextOption } from '@slack/web-api';
import { loadMention } from '../../db/mention-row.js';
import { isAnalyzed } from '../../db/rows.js';
import type { SlackCtx } from '../../context.js';
import { loadConfig as loadTriageConfig } from '../../triage/config.js';
import type { Priority, SentimentLabel, TriageResult } from '../../triage/index.js';
import { reclassify } from '../inbox/corrections.js';
import { viewIds } from '../views/action-ids.js';
import { mentionIdOf } from '../views/card.js';
import { refreshCard, threadOfMention, updateThread } from '../inbox/conversation.js';
import { modal } from '../views/modal.js';
import { slaDeadline } from '../jobs/sla.js';
import { refusal } from '../inbox/roles.js';

type Field = 'sentiment' | 'category' | 'priority';

const sentiments: SentimentLabel[] = ['negative', 'neutral', 'positive'];
const priorities: Priority[] = ['P1', 'P2', 'P3', 'P4'];
let categoryLabels: Map<string, string> | undefined;
/** The taxonomy's categories (config/triage/taxonomy.yaml), read once. */
const categories = () =>
  (categoryLabels ??= new Map(
    loadTriageConfig()
      .taxonomy.categories.filter((c) => c.id !== 'spam')
      .map((c) => [c.id, c.label]),
  ));

const option = (value: string, label = value): PlainTextOption => ({ text: { type: 'plain_text', text: label }, value });

function select(field: Field, label: string, options: PlainTextOption[], current: string): KnownBlock {
  return {
    type: 'input',
    block_id: field,
    label: { type: 'plain_text', text: label },
    element: {
      type: 'static_select',
      action_id: field,
      options,
      ...(options.some((o) => o.value === current) ? { initial_option: options.find((o) => o.value === current) } : {}),
    },
  };
}

function reclassifyModal(mentionId: number, t: TriageResult): ModalView {
  return modal({
    callbackId: viewIds.reclassify,
    metadata: String(mentionId),
    title: 'Reclassify',
    submit: 'Save',
    blocks: [
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: 'What should carebot have said? Your answer updates the card and teaches the triage model (`carebot train`).',
          },
        ],
      },
      select(
        'sentiment',
        'Sentiment',
        sentiments.map((v) => option(v)),
        t.sentiment.label,
      ),
      select(
        'category',
        'Category',
        [...categories()].map(([id, label]) => option(id, label)),
        t.category,
      ),
      select(
        'priority',
        'Priority',
        priorities.map((v) => option(v)),
        t.priority,
      ),
    ],
  });
}

export async function openReclassifyModal(s: SlackCtx<'db'>, triggerId: string, mentionId: number): Promise<void> {
  const root = await loadMention(s.db, mentionId);
  if (!isAnalyzed(root)) return;
  await s.slack.views.open({ trigger_id: triggerId, view: reclassifyModal(mentionId, root.triage) });
}

/**
 * An agent's correction: stored as a training example next to what carebot had said, applied
 * to the mention (the card's badges, and the SLA when the priority changed), and audited.
 */
export function onReclassify(app: App, s: SlackCtx<'config' | 'log' | 'db'>): void {
  app.view(viewIds.reclassify, async ({ ack, body, view }) => {
    const mentionId = mentionIdOf(view.private_metadata);
    // Roles can change while the form is open: the submission is checked again.
    const refused = mentionId && (await refusal(s, body.user.id, 'agent', 'reclassify conversations', { type: 'mention', id: mentionId }));
    if (refused) {
      await ack({ response_action: 'errors', errors: { sentiment: refused } });
      return;
    }
    await ack();
    if (!mentionId) return;
    const picked = (field: Field) => view.state.values[field]?.[field]?.selected_option?.value ?? undefined;
    const root = await loadMention(s.db, mentionId);
    if (!isAnalyzed(root)) return;
    const before = root.triage;
    const sentiment = picked('sentiment') as SentimentLabel | undefined;
    const category = picked('category');
    const priority = picked('priority') as Priority | undefined;
    if (
      !sentiment ||
      !sentiments.includes(sentiment) ||
      !category ||
      !categories().has(category) ||
      !priority ||
      !priorities.includes(priority)
    )
      return;
    if (sentiment === before.sentiment.label && category === before.category && priority === before.priority) return;

    await reclassify(s.db, root, body.user.id, { sentiment, category, priority });

    const thread = await threadOfMention(s.db, mentionId);
    if (!thread) return;
    if (priority !== before.priority && !thread.firstResponseAt) {
      const due = slaDeadline(s.config.file.slack, priority, root.receivedAt);
      const stillAhead = !due || due.getTime() > Date.now();
      await refreshCard(
        s,
        await updateThread(s.db, thread, { slaDueAt: due, ...(stillAhead ? { slaRemindedAt: null, slaBreachedAt: null } : {}) }),
      );
    } else {
      await refreshCard(s, thread);
    }
  });
}
