import { errorReason } from '../src/shared/log.js';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { replies } from '../src/db/schema.js';
import { sendReply } from '../src/pipeline/outbound.js';
import { reportReply } from '../src/slack/api/reply-result.js';
import type { Ctx } from '../src/context.js';
import { startStageWorker, type StageCtx } from '../src/queues/stage-worker.js';

export const startOutboundWorker = (s: StageCtx & Ctx<'db' | 'slack' | 'connectors'>) =>
  startStageWorker(s, 'outbound', (job) => sendReply(s, job.data.replyId), {
    // Only a reply known not to have gone out ('pending') may be called failed; one whose last
    // call never answered ('sending') may have arrived.
    onExhausted: async (job, err) => {
      await s.db
        .update(replies)
        .set({
          state: sql`case when ${replies.state} = 'pending' then 'failed' else 'unknown' end`,
          error: errorReason(err),
          updatedAt: sql`now()`,
        })
        .where(and(eq(replies.id, job.data.replyId), inArray(replies.state, ['pending', 'sending'])));
      if (s.slack) await reportReply({ ...s, slack: s.slack }, job.data.replyId);
    },
  });
