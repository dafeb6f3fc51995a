/**
 * `carebot audit --since WHEN [--until WHEN] [--actor ID] [--action NAME]`: the audit log as
 * JSON Lines, oldest first, for an admin's own records or a SIEM. Reading it is itself logged.
 */
import { auditActions, audit, readAudit, type AuditAction } from '../../db/audit.js';
import { openDatabase } from '../../db/open.js';
import { parseSince } from '../../shared/since.js';
import { checkDatabaseExists, UsageError } from './errors.js';

export interface AuditCommandOptions {
  since?: string;
  until?: string;
  actor?: string;
  action?: string;
  database: { url?: string; dataDir: string };
  stdout: NodeJS.WritableStream;
}

/** What the CLI records as the reader: whoever runs it on the host. */
const HOST_ACTOR = 'cli';

const when = (flag: string, text: string | undefined) => {
  if (text === undefined) return undefined;
  const at = parseSince(text);
  if (!at) throw new UsageError(`${flag} '${text}': expected 30m, 24h, 7d or an ISO date such as 2026-12-01`);
  return at;
};

export async function runAuditCommand(opts: AuditCommandOptions): Promise<void> {
  const since = when('--since', opts.since ?? '7d')!;
  const until = when('--until', opts.until);
  if (opts.action && !(auditActions as readonly string[]).includes(opts.action)) {
    throw new UsageError(`--action '${opts.action}': expected one of ${auditActions.join(', ')}`);
  }
  checkDatabaseExists(opts.database);
  const database = await openDatabase(opts.database);
  try {
    const rows = await readAudit(database.db, { since, until, actor: opts.actor, action: opts.action as AuditAction | undefined });
    for (const r of rows) opts.stdout.write(`${JSON.stringify(r)}\n`);
    await audit(
      database.db,
      HOST_ACTOR,
      'audit.read',
      { type: 'audit', id: 'cli' },
      { since, until, actor: opts.actor, action: opts.action, rows: rows.length },
    );
  } finally {
    await database.close();
  }
}
