import { audit, auditActions, readAudit, type AuditAction, type AuditQuery } from '../../db/audit.js';
import { parseSince } from '../../shared/since.js';
import { refusal } from '../inbox/roles.js';
import { command } from '../views/action-ids.js';
import { auditList } from '../views/audit-list.js';
import type { Subcommand } from './command.js';

/** Enough to read in Slack; `carebot audit` on the host gives the whole log. */
const SHOWN = 25;

/** `since`, someone (`@name` as Slack sends it, `<@U…|name>`, or an id) and an action, in any order. */
function parseFilters(args: string): AuditQuery | string {
  const q: AuditQuery = { since: new Date(Date.now() - 7 * 86_400_000), limit: SHOWN };
  for (const word of args.split(/\s+/).filter(Boolean)) {
    const user = /^<@([UW][A-Z0-9]+)(\|[^>]*)?>$/.exec(word)?.[1] ?? (/^[UW][A-Z0-9]{6,}$/.test(word) ? word : undefined);
    const since = parseSince(word);
    if (user) q.actor = user;
    else if (since) q.since = since;
    else if ((auditActions as readonly string[]).includes(word) || word === 'system') {
      if (word === 'system') q.actor = 'system';
      else q.action = word as AuditAction;
    } else {
      return `\`${word.slice(0, 40)}\` is not a time (7d, 24h, 2026-12-01), a person (@name) or an action (${auditActions.join(', ')}).`;
    }
  }
  return q;
}

/** `/carebot audit [7d|DATE] [@someone|system] [action]`: who did what, for admins, answered to them alone. */
export const auditCommand: Subcommand = {
  usage: `${command} audit [7d|2026-12-01] [@someone|system] [action] – the audit log (admins only)`,
  async run(s, cmd, args) {
    const refused = await refusal(s, cmd.user_id, 'admin', 'read the audit log', { type: 'audit', id: 'slack' });
    if (refused) return refused;
    const q = parseFilters(args);
    if (typeof q === 'string') return q;
    const rows = await readAudit(s.db, q);
    await audit(s.db, cmd.user_id, 'audit.read', { type: 'audit', id: 'slack' }, { filters: args });
    const heading = `*Audit log since ${q.since.toISOString().slice(0, 16).replace('T', ' ')} UTC*${rows.length === SHOWN ? ` (the newest ${SHOWN}; \`carebot audit\` on the server has them all)` : ''}`;
    return auditList(rows, heading);
  },
};
