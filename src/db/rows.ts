/**
 * The row types of the tables, each named once: code that passes a row between modules then
 * agrees on one type instead of several copies of `$inferSelect` that could drift apart.
 */
import type { broadcasts, incidents, incidentUpdates, mentions, replies, slackThreads, spikes, MentionState } from './schema.js';

export type MentionRow = typeof mentions.$inferSelect;
export type MentionInsert = typeof mentions.$inferInsert;

export type ThreadRow = typeof slackThreads.$inferSelect;
export type ThreadInsert = typeof slackThreads.$inferInsert;

export type ReplyRow = typeof replies.$inferSelect;
export type ReplyInsert = typeof replies.$inferInsert;

export type Spike = typeof spikes.$inferSelect;

export type Incident = typeof incidents.$inferSelect;
export type IncidentUpdate = typeof incidentUpdates.$inferSelect;
export type Broadcast = typeof broadcasts.$inferSelect;

/** `T` with the nullable columns `K` known to be set: what a row's state guarantees of it. */
export type Filled<T, K extends keyof T> = T & { [P in K]: NonNullable<T[P]> };

/** The first of `columns` that `row` has no value in, if any: the one check of what a state guarantees. */
export const missing = <T, K extends keyof T>(row: T, columns: readonly K[]): K | undefined =>
  columns.find((c) => row[c] === null || row[c] === undefined);

/** What ingest writes from the normalized Mention that the Mention schema never leaves empty. */
export const ingestedColumns = [
  'conversationId',
  'authorId',
  'authorHandle',
  'text',
  'createdAt',
  'ingestedAt',
] as const satisfies ReadonlyArray<keyof MentionRow>;
/** What analyze adds: the triage, the columns copied out of it, and the language (the network's or triage's). */
export const analyzedColumns = [
  ...ingestedColumns,
  'triage',
  'priority',
  'category',
  'sentiment',
  'language',
  'analyzedAt',
] as const satisfies ReadonlyArray<keyof MentionRow>;

/** A mention past ingest: normalized, so its conversation, author, text and time are known. */
export type IngestedRow = Filled<MentionRow, (typeof ingestedColumns)[number]>;
/** A mention past analysis, whose triage is known: every mention that has a card. */
export type AnalyzedRow = Filled<MentionRow, (typeof analyzedColumns)[number]>;
export const isAnalyzed = (m: MentionRow): m is AnalyzedRow => missing(m, analyzedColumns) === undefined;

/**
 * What each state guarantees: a stage moves a row on only with its columns written, and nothing
 * clears them. Notify moves only analyzed rows; a rejected or failed row may have stopped before any.
 */
export const stateColumns = {
  received: [],
  ingested: ingestedColumns,
  analyzed: analyzedColumns,
  notified: analyzedColumns,
  rejected: [],
  failed: [],
} as const satisfies Record<MentionState, ReadonlyArray<keyof MentionRow>>;

/** A row loaded because it is in one of the states `S`: its `state` tells which, and so what it holds. */
export type MentionIn<S extends MentionState> = {
  [K in S]: Filled<MentionRow, (typeof stateColumns)[K][number]> & { state: K };
}[S];

/** Where an incident's card is, set once it is posted (the channel at declaration, the ts after). */
export const incidentCardColumns = ['slackChannel', 'slackTs'] as const satisfies ReadonlyArray<keyof Incident>;
/** An incident whose card is in Slack: its thread is where previews, digests and reports go. */
export type IncidentWithCard = Filled<Incident, (typeof incidentCardColumns)[number]>;
export const hasCard = (i: Incident): i is IncidentWithCard => missing(i, incidentCardColumns) === undefined;
