import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { mentions } from '../../src/db/schema.js';
import { receive } from '../../src/pipeline/receive.js';
import { saveModel, trainModel } from '../../src/triage/index.js';
import { dbKinds } from '../support/db.js';
import { tweet } from '../support/mentions.js';
import { createHarness, eventually } from '../support/services.js';
import { inventedRows } from './cli-support.js';

const dir = mkdtempSync(join(tmpdir(), 'carebot-service-model-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(dbKinds)('the running service with TRIAGE_MODEL on %s', (kind) => {
  it('judges mentions with the trained model on top of the rules', async () => {
    const file = join(dir, `${kind}.json`);
    await saveModel(trainModel(inventedRows()), file);
    const h = await createHarness(kind, { TRIAGE_MODEL: file });
    try {
      h.startWorkers();
      const m = tweet('@brand the zorblax thing happened at lunch');
      await receive(h.s, [m]);
      // No Slack configured: the mention stops once analyzed, with its triage stored.
      const row = await eventually('the mention to be analyzed', async () => {
        const [r] = await h.s.db.select().from(mentions).where(eq(mentions.externalId, m.externalId));
        return r?.state === 'analyzed' && r;
      });
      expect(row.triage).toMatchObject({ sentiment: { label: 'negative' }, complaint: true });
      expect((row.triage as { reasons: string[] }).reasons.some((r) => r.startsWith('model: negative'))).toBe(true);
    } finally {
      await h.close();
    }
  });

  it('picks up a retrained model file without a restart, and keeps its model when the new file is damaged', async () => {
    const file = join(dir, `${kind}-reload.json`);
    await saveModel(trainModel(inventedRows()), file);
    const h = await createHarness(kind, { TRIAGE_MODEL: file });
    const judge = async (text: string) => {
      const m = tweet(text);
      await receive(h.s, [m]);
      const row = await eventually('the mention to be analyzed', async () => {
        const [r] = await h.s.db.select().from(mentions).where(eq(mentions.externalId, m.externalId));
        return r?.state === 'analyzed' && r;
      });
      return row.triage as { sentiment: { label: string }; complaint: boolean };
    };
    try {
      h.startWorkers();
      expect((await judge('@brand the zorblax thing happened at lunch')).sentiment.label).toBe('negative');
      // The brand's agents taught it the opposite: zorblax is good news, flumbo the complaint.
      const swapped = inventedRows().map((r) => ({
        ...r,
        text: r.text.replace('zorblax', 'XX').replace('flumbo', 'zorblax').replace('XX', 'flumbo'),
      }));
      await saveModel(trainModel(swapped), file);
      await eventually('the retrained model to be loaded', () => h.log.text().includes('triage model reloaded'));
      expect(await judge('@brand the zorblax thing happened at lunch')).toMatchObject({
        sentiment: { label: 'positive' },
        complaint: false,
      });

      await writeFile(file, '{"format":"carebot-triage-model","version":');
      await eventually('the damaged file to be refused', () => h.log.text().includes('triage model not reloaded'));
      expect(await judge('@brand the zorblax thing happened at dinner')).toMatchObject({
        sentiment: { label: 'positive' },
        complaint: false,
      });
    } finally {
      await h.close();
    }
  });
});
