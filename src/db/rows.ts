/**
 * The row types of the tables, each named once: code that passes a row between modules then
 * agrees on one type instead of several copies of `$inferSelect` that could drift apart.
 */
import type { TriageResult } from '../triage/types.js';
import type { broadcasts, incidents, incidentUpdates, mentions, replies, slackThreads, spikes } from './schema.js';

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

/** A mention past analysis, whose triage is known: every mention that has a card. */
export type AnalyzedRow = MentionRow & { triage: TriageResult };
export const isAnalyzed = (m: MentionRow): m is AnalyzedRow => m.triage !== null;
