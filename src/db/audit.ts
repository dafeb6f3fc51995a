import { and, asc, desc, eq, gte, lt, type SQL } from 'drizzle-orm';
import type { Db } from './open.js';
import { auditLog } from './schema.js';

/** Everything people and carebot itself do that changes a conversation or reaches a customer or the public. */
export const auditActions = [
  'reply',
  'reply.retry',
  /** A reply withdrawn before it went out: its Slack message was deleted. */
  'reply.cancel',
  'assign',
  'resolve',
  'reopen',
  'spam',
  'reclassify',
  'escalate',
  'incident.declare',
  'incident.update',
  'incident.resolve',
  'broadcast',
  'broadcast.skip',
  'acknowledgement',
  'follow-up',
  /** Someone tried an action their role does not allow. */
  'denied',
  /** Someone read this log. */
  'audit.read',
  /** One customer's data erased on request (`carebot forget`): the subject is a hash of their id, never the id. */
  'forget',
  /** The daily purge of what is older than RETENTION_DAYS, by the system, with counts only. */
  'retention',
] as const;
export type AuditAction = (typeof auditActions)[number];

/** The actor of what carebot does on its own (acknowledgements, follow-ups, a conversation reopened). */
export const SYSTEM = 'system';

export type AuditSubject = {
  type: 'conversation' | 'reply' | 'mention' | 'incident' | 'update' | 'audit' | 'customer' | 'retention';
  id: string | number;
};

/** A conversation as the log names it: `<platform>:<conversation id>`. */
export const conversationSubject = (t: { platform: string; conversationId: string | null }): AuditSubject => ({
  type: 'conversation',
  id: `${t.platform}:${t.conversationId}`,
});

/** Who did what to which conversation, reply or incident. */
export async function audit(
  db: Db,
  actor: string,
  action: AuditAction,
  subject: AuditSubject,
  detail: Record<string, unknown> = {},
): Promise<void> {
  await db.insert(auditLog).values({ actor, action, subjectType: subject.type, subjectId: String(subject.id), detail });
}

/** The same action on many subjects (a follow-up to each customer), in one insert. */
export async function auditEach(
  db: Db,
  actor: string,
  action: AuditAction,
  subjects: AuditSubject[],
  detail: Record<string, unknown> = {},
) {
  if (!subjects.length) return;
  await db
    .insert(auditLog)
    .values(subjects.map((subject) => ({ actor, action, subjectType: subject.type, subjectId: String(subject.id), detail })));
}

export interface AuditQuery {
  since: Date;
  until?: Date;
  actor?: string;
  action?: AuditAction;
  /** The newest `limit` entries, newest first (Slack); without it, all of them oldest first (the CLI). */
  limit?: number;
}

export type AuditEntry = typeof auditLog.$inferSelect;

/** The log, for `/carebot audit` and `carebot audit`. */
export async function readAudit(db: Db, q: AuditQuery): Promise<AuditEntry[]> {
  const where: SQL[] = [gte(auditLog.at, q.since)];
  if (q.until) where.push(lt(auditLog.at, q.until));
  if (q.actor) where.push(eq(auditLog.actor, q.actor));
  if (q.action) where.push(eq(auditLog.action, q.action));
  const rows = db
    .select()
    .from(auditLog)
    .where(and(...where));
  return q.limit ? rows.orderBy(desc(auditLog.at), desc(auditLog.id)).limit(q.limit) : rows.orderBy(asc(auditLog.at), asc(auditLog.id));
}
