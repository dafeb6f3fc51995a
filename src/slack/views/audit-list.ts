import type { AuditEntry } from '../../db/audit.js';
import { truncate } from '../../shared/fit-text.js';
import { escapeMrkdwn } from './escape.js';

const who = (actor: string) => (/^[UW][A-Z0-9]+$/.test(actor) ? `<@${actor}>` : `_${escapeMrkdwn(actor)}_`);
const when = (at: Date) => `<!date^${Math.floor(at.getTime() / 1000)}^{date_short} {time}|${at.toISOString()}>`;

/** The audit log as `/carebot audit` answers it: one line per entry, newest first. Details are escaped: they hold what people typed. */
export function auditList(rows: AuditEntry[], heading: string): string {
  const lines = rows.map((r) => {
    const detail = Object.keys(r.detail).length ? ` · ${escapeMrkdwn(truncate(JSON.stringify(r.detail), 160))}` : '';
    return `${when(r.at)} · ${who(r.actor)} · *${r.action}* · ${escapeMrkdwn(`${r.subjectType} ${r.subjectId}`)}${detail}`;
  });
  return [heading, ...(lines.length ? lines : ['_nothing_'])].join('\n');
}
