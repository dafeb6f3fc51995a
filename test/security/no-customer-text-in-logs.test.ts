import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.js';
import { mentions } from '../../src/db/schema.js';
import { batchJobId, newBatchToken } from '../../src/queues/queues.js';
import { createLogger } from '../../src/shared/log.js';
import { dbKinds } from '../support/db.js';
import { memoryLog } from '../support/log.js';
import { tweet } from '../support/mentions.js';
import { createHarness, eventually, withFakeSlack } from '../support/services.js';

/** What a customer wrote, distinctive enough that finding it anywhere means it was copied there. */
const CANARY = 'my card ending 4242 was charged twice, call me on 0612345678 zebra-quokka';

describe.each(dbKinds)('customer text after a database failure, on %s', (kind) => {
  const t = withFakeSlack();

  it('reaches no log line, no mentions.error and no failed job reason', async () => {
    t.h = await createHarness(kind, { SLACK_BOT_TOKEN: 'xoxb-test-token', SLACK_API_URL: t.slack.url, SLACK_INBOX_CHANNEL: 'C0INBOX001' });
    const { s } = t.h;
    // The database fails every write of this customer's text, the way a deadlock or a failover
    // would: not the row's fault, so the job fails and is retried (and drizzle's error message
    // carries the statement and its parameters, the text among them).
    await s.db.execute(
      sql.raw(`create function fail_canary() returns trigger language plpgsql as $$
        begin raise exception 'simulated deadlock' using errcode = '40P01'; end $$`),
    );
    await s.db.execute(
      sql.raw(`create trigger fail_canary before update on mentions
        for each row when (new.text like '%zebra-quokka%') execute function fail_canary()`),
    );
    const m = tweet(`@brand ${CANARY}`);
    // Stored, with its ingest job queued with two attempts only, so its last failure comes soon.
    const jobId = batchJobId('ingest', newBatchToken());
    const [row] = await s.db
      .insert(mentions)
      .values({ platform: m.platform, externalId: m.externalId, payload: m.payload, jobId })
      .returning({ id: mentions.id });
    await s.queues.ingest.add('ingest', { mentionIds: [row!.id] }, { jobId, attempts: 2, backoff: { type: 'fixed', delay: 50 } });
    t.h.startWorkers();

    const failed = await eventually('the mention failed after its last attempt', async () => {
      const [r] = await s.db.select().from(mentions).where(eq(mentions.id, row!.id));
      return r?.state === 'failed' && r;
    });
    const job = (await s.queues.ingest.getJob(jobId))!;
    expect(await job.getState()).toBe('failed');

    // The failure is still told, in words an operator can act on.
    expect(failed.error).toBe('ingest: database: simulated deadlock (SQLSTATE 40P01)');
    expect(job.failedReason).toBe('database: simulated deadlock (SQLSTATE 40P01)');
    const logged = t.h.log.text();
    expect(logged).toContain('simulated deadlock');

    for (const [where, text] of [
      ['mentions.error', failed.error ?? ''],
      ['the job failure reason', job.failedReason],
      ['the job stack traces', (job.stacktrace ?? []).join('\n')],
      ['the log', logged],
    ] as const) {
      expect(text, where).not.toContain('zebra-quokka');
      expect(text, where).not.toContain('0612345678');
      expect(text, where).not.toMatch(/Failed query|params:/);
    }
  });

  it('logs a database error passed as `err` without its statement, parameters or detail', async () => {
    t.h = await createHarness(kind);
    const caught = await t.h.s.db.execute(sql`select ${CANARY}::int`).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(String((caught as Error).message)).toContain('zebra-quokka'); // what drizzle puts in its message
    const out = memoryLog();
    const log = createLogger(loadConfig({}), out);
    log.error({ err: caught }, 'query failed');
    log.warn({ err: new Error('wrapped', { cause: caught }) }, 'wrapped');
    log.error({ error: caught }, 'as error');
    log.warn({ err: (caught as Error).message }, 'only its message, as many callers log it');
    expect(out.lines).toHaveLength(4);
    expect(out.text()).not.toContain('zebra-quokka');
    expect(out.text()).not.toContain('0612345678');
    expect(out.text()).toContain('SQLSTATE 22P02');
  });
});
