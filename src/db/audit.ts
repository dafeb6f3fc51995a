import type { Db } from './open.js';
import { auditLog } from './schema.js';

export type AuditAction = 'reply' | 'reply.retry' | 'assign' | 'resolve' | 'reopen' | 'spam' | 'reclassify' | 'escalate' | 'broadcast';

/** Who did what to which conversation, reply or incident: every agent action lands here. */
export async function audit(
  db: Db,
  actor: string,
  action: AuditAction,
  subject: { type: 'conversation' | 'reply' | 'mention' | 'incident'; id: string | number },
  detail: Record<string, unknown> = {},
): Promise<void> {
  await db.insert(auditLog).values({ actor, action, subjectType: subject.type, subjectId: String(subject.id), detail });
}
