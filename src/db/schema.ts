import { sql } from 'drizzle-orm';
import { bigint, boolean, index, integer, jsonb, pgTable, primaryKey, real, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { Attachment, Platform } from '../mention.js';
import type { Priority, TriageResult } from '../triage/types.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * Where a mention is in the pipeline. Each stage moves it one step and records its result on
 * the row; the reconciler re-queues rows that sit in an in-flight state for too long.
 */
export const mentionStates = ['received', 'ingested', 'analyzed', 'notified', 'rejected', 'failed'] as const;
export type MentionState = (typeof mentionStates)[number];
export const inFlightStates = ['received', 'ingested', 'analyzed'] as const satisfies readonly MentionState[];

export const mentions = pgTable(
  'mentions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    platform: text('platform').$type<Platform>().notNull(),
    externalId: text('external_id').notNull(),
    state: text('state').$type<MentionState>().notNull().default('received'),
    /**
     * The BullMQ job that carries the row to its next stage. The reconciler re-queues a stuck row
     * only when this job is gone or finished, so a long backlog is never queued twice.
     */
    jobId: text('job_id'),
    payload: jsonb('payload').$type<unknown>().notNull(),
    error: text('error'),
    // Filled by ingest from the connector's normalized Mention.
    conversationId: text('conversation_id'),
    inReplyTo: text('in_reply_to'),
    authorId: text('author_id'),
    authorHandle: text('author_handle'),
    authorName: text('author_name'),
    authorFollowers: integer('author_followers'),
    authorUrl: text('author_url'),
    text: text('text'),
    url: text('url'),
    createdAt: ts('created_at'),
    language: text('language'),
    private: boolean('private').notNull().default(false),
    attachments: jsonb('attachments').$type<Attachment[]>().notNull().default([]),
    /** When the customer changed or took back the message on the network (src/pipeline/changes.ts). */
    editedAt: ts('edited_at'),
    deletedAt: ts('deleted_at'),
    // Filled by analyze.
    triage: jsonb('triage').$type<TriageResult>(),
    priority: text('priority').$type<Priority>(),
    category: text('category'),
    sentiment: real('sentiment'),
    // Filled by notify: where the card (or the thread reply) is.
    slackChannel: text('slack_channel'),
    slackTs: text('slack_ts'),
    /**
     * The notify job that took the row, written before its card is posted. Another job may take
     * it only after a lease; any job that finds an earlier claim asks Slack before posting.
     */
    notifyClaim: text('notify_claim'),
    notifyClaimedAt: ts('notify_claimed_at'),
    incidentId: bigint('incident_id', { mode: 'number' }),
    /** Set when the mention was collapsed into a spike's digest instead of a card of its own. */
    spikeId: bigint('spike_id', { mode: 'number' }),
    receivedAt: ts('received_at').notNull().defaultNow(),
    ingestedAt: ts('ingested_at'),
    analyzedAt: ts('analyzed_at'),
    notifiedAt: ts('notified_at'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('mentions_platform_external_id').on(t.platform, t.externalId),
    index('mentions_in_flight').on(t.updatedAt).where(sql`${t.state} in ('received', 'ingested', 'analyzed')`),
    index('mentions_author_recent').on(t.platform, t.authorId, t.createdAt),
    index('mentions_conversation').on(t.platform, t.conversationId),
    index('mentions_spike').on(t.spikeId, t.id),
    index('mentions_incident').on(t.incidentId, t.id),
  ],
);

/**
 * A surge of negative mentions about the same thing ("login"): one alert card in Slack, edited
 * in place as it grows, with the matching mentions collapsed into a periodic digest under it.
 */
export const spikes = pgTable(
  'spikes',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** The term that crossed the line first; `terms` adds every word the event was found with (to match mentions by). */
    term: text('term').notNull(),
    terms: jsonb('terms').$type<string[]>().notNull(),
    /** The few terms most often found with `term` in its newest window: the card's "also" and an incident's keywords. */
    related: jsonb('related').$type<string[]>().notNull().default([]),
    status: text('status').$type<'open' | 'closed'>().notNull().default('open'),
    /** The newest window of `term` found anomalous: its count and what is usual for it. */
    count: integer('count').notNull(),
    expected: real('expected').notNull(),
    /** That window's last minute (minutes since the epoch, mentions' own time). */
    windowEnd: integer('window_end').notNull().default(0),
    peak: integer('peak').notNull(),
    channel: text('channel').notNull(),
    slackTs: text('slack_ts'),
    alertClaimedAt: ts('alert_claimed_at'),
    /** What the alert card last showed, so it is edited only when that changes. */
    shownCount: integer('shown_count').notNull().default(0),
    /** The last mention id already listed in a digest. */
    digestedUpTo: bigint('digested_up_to', { mode: 'number' }).notNull().default(0),
    /** Mentions already counted in a digest (collapse links them out of id order). */
    digestedCount: integer('digested_count').notNull().default(0),
    incidentId: bigint('incident_id', { mode: 'number' }),
    openedAt: ts('opened_at').notNull().defaultNow(),
    /** When a window was last found anomalous (wall clock): a quiet spike closes after a while. */
    lastAnomalousAt: ts('last_anomalous_at').notNull().defaultNow(),
    closedAt: ts('closed_at'),
  },
  (t) => [uniqueIndex('spikes_open_term').on(t.term).where(sql`${t.status} = 'open'`)],
);

/** The Slack thread a customer conversation lives in: follow-ups and replies go under its card. */
export const slackThreads = pgTable(
  'slack_threads',
  {
    platform: text('platform').$type<Platform>().notNull(),
    conversationId: text('conversation_id').notNull(),
    rootMentionId: bigint('root_mention_id', { mode: 'number' }).notNull(),
    channel: text('channel').notNull(),
    /** Null while the first card is being posted: the row is also the claim on the conversation. */
    threadTs: text('thread_ts'),
    /**
     * The card of the same conversation before this one: a customer who wrote again long after it
     * was resolved gets a new card (slack.reopenWithinHours), which links the earlier one.
     */
    earlierThreadTs: text('earlier_thread_ts'),
    status: text('status').$type<ThreadStatus>().notNull().default('new'),
    assignee: text('assignee'),
    /** The agent with the reply modal open, so a second agent is warned before answering too. */
    replyingUser: text('replying_user'),
    replyingSince: ts('replying_since'),
    /** The first-response deadline from the SLA for the card's priority; null when none applies. */
    slaDueAt: ts('sla_due_at'),
    slaRemindedAt: ts('sla_reminded_at'),
    slaBreachedAt: ts('sla_breached_at'),
    firstResponseAt: ts('first_response_at'),
    resolvedAt: ts('resolved_at'),
    /** From the customer's first message reaching carebot to the first reply sent from Slack. */
    firstResponseSeconds: integer('first_response_seconds'),
    /** From the customer's first message reaching carebot to the (latest) resolution. */
    resolutionSeconds: integer('resolution_seconds'),
    createdAt: ts('created_at').notNull().defaultNow(),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.platform, t.conversationId] }),
    uniqueIndex('slack_threads_ts').on(t.channel, t.threadTs),
    index('slack_threads_sla_open').on(t.slaDueAt).where(sql`${t.firstResponseAt} is null and ${t.status} <> 'resolved'`),
    index('slack_threads_assignee').on(t.assignee),
  ],
);

export const threadStatuses = ['new', 'assigned', 'replied', 'resolved', 'spam'] as const;
export type ThreadStatus = (typeof threadStatuses)[number];

/**
 * An agent's correction of carebot's judgement (the Reclassify button): training data for
 * `carebot train`, which is how each brand's triage learns its own customers.
 */
export const corrections = pgTable(
  'corrections',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    mentionId: bigint('mention_id', { mode: 'number' })
      .notNull()
      .references(() => mentions.id),
    sentiment: text('sentiment'),
    category: text('category'),
    priority: text('priority').$type<Priority>(),
    spam: boolean('spam'),
    /** What carebot had said (sentiment label, category, priority, spam), to measure it against the agent. */
    before: jsonb('before').$type<{ sentiment: string; category: string; priority: string; spam: boolean }>(),
    by: text('by').notNull(),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [index('corrections_mention').on(t.mentionId)],
);

/** `skipped`: a follow-up or acknowledgement the network refused for good (deleted tweet, blocked DM). */
export const replyStates = ['pending', 'sending', 'sent', 'failed', 'unknown', 'skipped'] as const;
export type ReplyState = (typeof replyStates)[number];

/**
 * A message to a customer. The idempotency key is stored before the network call, so a retry
 * or a double click finds the row and never sends twice.
 */
export const replies = pgTable(
  'replies',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    idempotencyKey: text('idempotency_key').notNull(),
    mentionId: bigint('mention_id', { mode: 'number' })
      .notNull()
      .references(() => mentions.id),
    platform: text('platform').$type<Platform>().notNull(),
    kind: text('kind').$type<'reply' | 'acknowledgement' | 'follow_up'>().notNull().default('reply'),
    text: text('text').notNull(),
    state: text('state').$type<ReplyState>().notNull().default('pending'),
    externalId: text('external_id'),
    url: text('url'),
    error: text('error'),
    requestedBy: text('requested_by'),
    /** The Slack thread the reply was written in: where its ✅/❌ result is reported. */
    slackChannel: text('slack_channel'),
    slackThreadTs: text('slack_thread_ts'),
    /** When the result (sent / failed / unknown) was posted in that thread. */
    reportedAt: ts('reported_at'),
    attempts: integer('attempts').notNull().default(0),
    createdAt: ts('created_at').notNull().defaultNow(),
    sentAt: ts('sent_at'),
    updatedAt: ts('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('replies_idempotency_key').on(t.idempotencyKey),
    index('replies_mention').on(t.mentionId),
    // A customer answering the brand's reply names it: ingest finds the conversation through it.
    index('replies_external_id').on(t.platform, t.externalId),
  ],
);

export const incidents = pgTable('incidents', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  title: text('title').notNull(),
  state: text('state').$type<'investigating' | 'identified' | 'monitoring' | 'resolved'>().notNull().default('investigating'),
  keywords: jsonb('keywords').$type<string[]>().notNull().default([]),
  components: jsonb('components').$type<string[]>().notNull().default([]),
  createdBy: text('created_by').notNull(),
  slackChannel: text('slack_channel'),
  slackTs: text('slack_ts'),
  createdAt: ts('created_at').notNull().defaultNow(),
  resolvedAt: ts('resolved_at'),
  updatedAt: ts('updated_at').notNull().defaultNow(),
  /** The last linked mention already listed in a digest in the incident's thread. */
  digestedUpTo: bigint('digested_up_to', { mode: 'number' }).notNull().default(0),
  /**
   * Linked mentions already counted in a digest. Not derived from `digestedUpTo`: batches link
   * mentions out of id order, some behind that mark.
   */
  digestedCount: integer('digested_count').notNull().default(0),
  /** What the card last showed, so it is edited only when that changes. */
  shownCount: integer('shown_count').notNull().default(0),
  /** The "Follow-ups: N sent…" line: claimed before it is posted, its ts once it is. */
  followUpsClaimedAt: ts('follow_ups_claimed_at'),
  followUpsReportTs: text('follow_ups_report_ts'),
});

export const incidentStates = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type IncidentState = (typeof incidentStates)[number];

/**
 * One step of an incident's story (declared, identified, …): its public message, shown on the
 * status page, previewed in the incident's thread and, once someone confirms, broadcast.
 */
export const incidentUpdates = pgTable(
  'incident_updates',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    incidentId: bigint('incident_id', { mode: 'number' })
      .notNull()
      .references(() => incidents.id),
    state: text('state').$type<IncidentState>().notNull(),
    publicText: text('public_text').notNull(),
    author: text('author').notNull(),
    /** The preview with its Broadcast / Don't broadcast buttons, in the incident's thread. */
    previewTs: text('preview_ts'),
    /** Who pressed Broadcast or Don't broadcast: the first press wins, a second does nothing. */
    decision: text('decision').$type<'broadcast' | 'skipped'>(),
    decidedBy: text('decided_by'),
    at: ts('at').notNull().defaultNow(),
  },
  (t) => [index('incident_updates_incident').on(t.incidentId, t.id)],
);

/**
 * One public update sent to one network. Stored with its idempotency key before the call, like
 * a reply: a double click or a retry finds the row and never posts twice.
 */
export const broadcasts = pgTable(
  'broadcasts',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    idempotencyKey: text('idempotency_key').notNull(),
    updateId: bigint('update_id', { mode: 'number' })
      .notNull()
      .references(() => incidentUpdates.id),
    incidentId: bigint('incident_id', { mode: 'number' }).notNull(),
    platform: text('platform').$type<Platform>().notNull(),
    state: text('state').$type<ReplyState>().notNull().default('pending'),
    externalId: text('external_id'),
    url: text('url'),
    error: text('error'),
    requestedBy: text('requested_by').notNull(),
    createdAt: ts('created_at').notNull().defaultNow(),
    sentAt: ts('sent_at'),
  },
  (t) => [uniqueIndex('broadcasts_idempotency_key').on(t.idempotencyKey), index('broadcasts_incident').on(t.incidentId, t.platform)],
);

/** Poll positions (e.g. the newest tweet id seen), so a restart neither misses nor repeats. */
export const cursors = pgTable('cursors', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: ts('at').notNull().defaultNow(),
    /** A Slack user id, or `system`. */
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('audit_log_subject').on(t.subjectType, t.subjectId)],
);
