/**
 * `carebot train --model FILE [--input FILE] [--from-db]`: learns a model from labelled JSON
 * Lines (`text` plus any of `sentiment`, `language`, `complaint`, `needsResponse`, `category`)
 * and/or from the agents' corrections stored in the database, and writes it. Rows that cannot
 * be used are skipped and listed; the summary says what each head learned.
 */
import { createInterface } from 'node:readline';
import { openDatabase } from '../../db/open.js';
import { readCorrections } from '../../db/corrections.js';
import { createEngine } from '../../triage/engine.js';
import { defaultFeatureOptions } from '../../triage/features.js';
import { featurize, fitModel, saveModel, type Example } from '../../triage/model.js';
import type { TrainingRow } from '../../triage/types.js';
import { checkDatabaseExists, checkWritable, CommandError, fsReason, openForReading } from './errors.js';

export interface TrainCommandOptions {
  input?: string;
  /** Where the corrections are: the service's DATABASE_URL / DATA_DIR. */
  database?: { url?: string; dataDir: string };
  model: string;
  stdout: NodeJS.WritableStream;
}

const sentiments = new Set(['negative', 'neutral', 'positive']);
/** Enough skipped rows to see the pattern; the count says the rest. */
const SHOW_SKIPPED = 10;

export async function runTrainCommand(opts: TrainCommandOptions): Promise<void> {
  // Every mistake before the work: a model that cannot be written is found out before training.
  await checkWritable('the model', '--model', opts.model);
  if (opts.database) checkDatabaseExists(opts.database, '--from-db');
  const input = opts.input ? await openForReading('cannot read the input', '--input', opts.input) : undefined;
  const engine = createEngine();
  const examples: Example[] = [];
  const skipped: string[] = [];
  const sources: string[] = [];
  const learn = (raw: unknown, where: string) => {
    try {
      const row = toRow(raw);
      examples.push({ row, x: featurize(engine, row, defaultFeatureOptions) });
    } catch (err) {
      skipped.push(`${where}: ${(err as Error).message}`);
    }
  };
  if (input) {
    let n = 0;
    let rows = 0;
    for await (const line of createInterface({ input: input.createReadStream(), crlfDelay: Infinity })) {
      n++;
      if (line.trim() === '') continue;
      rows++;
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch {
        skipped.push(`line ${n}: not JSON`);
        continue;
      }
      learn(raw, `line ${n}`);
    }
    sources.push(`${rows} rows from ${opts.input}`);
  }
  if (opts.database) {
    const database = await openDatabase(opts.database);
    try {
      const { rows, corrections } = await readCorrections(database.db);
      rows.forEach((row, i) => {
        learn(row, `correction ${i + 1}`);
      });
      sources.push(`${corrections} corrections of ${rows.length} mentions from the database`);
    } finally {
      await database.close();
    }
  }
  let model: ReturnType<typeof fitModel>;
  try {
    model = fitModel(examples, defaultFeatureOptions);
  } catch (err) {
    // Too few rows, or too few labels that differ: which sources gave how many says why.
    throw new CommandError(`${(err as Error).message} (${examples.length} usable rows: ${sources.join(', ')})`);
  }
  try {
    await saveModel(model, opts.model);
  } catch (err) {
    throw new CommandError(`cannot write the model: ${fsReason(err)} (--model ${opts.model})`);
  }
  const out = [`trained on ${examples.length} rows (${sources.join(', ')}), ${skipped.length} skipped → ${opts.model}`];
  for (const [name, head] of Object.entries(model.heads)) {
    const counts = head.classes.map((c) => `${c} ${examples.filter((e) => String(e.row[name as keyof TrainingRow]) === c).length}`);
    out.push(`  ${name}: ${counts.join(', ')}`);
  }
  out.push(...skipped.slice(0, SHOW_SKIPPED).map((s) => `  skipped ${s}`));
  if (skipped.length > SHOW_SKIPPED) out.push(`  … and ${skipped.length - SHOW_SKIPPED} more skipped`);
  opts.stdout.write(`${out.join('\n')}\n`);
}

function toRow(v: unknown): TrainingRow {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('expected a JSON object');
  const r = v as Record<string, unknown>;
  if (typeof r.text !== 'string' || r.text.trim() === '') throw new Error('"text" must be a non-empty string');
  const row: TrainingRow = { text: r.text };
  if (r.sentiment != null) {
    if (typeof r.sentiment !== 'string' || !sentiments.has(r.sentiment))
      throw new Error('"sentiment" must be negative, neutral or positive');
    row.sentiment = r.sentiment as TrainingRow['sentiment'];
  }
  if (r.language != null) {
    if (typeof r.language !== 'string') throw new Error('"language" must be a string');
    row.language = r.language;
  }
  for (const key of ['complaint', 'needsResponse'] as const) {
    if (r[key] == null) continue;
    if (typeof r[key] !== 'boolean') throw new Error(`"${key}" must be true or false`);
    row[key] = r[key];
  }
  if (r.category != null) {
    if (typeof r.category !== 'string' || r.category === '') throw new Error('"category" must be a non-empty string');
    row.category = r.category;
  }
  if (row.sentiment === undefined && row.complaint === undefined && row.needsResponse === undefined && row.category === undefined) {
    throw new Error('no label to learn from (sentiment, complaint, needsResponse or category)');
  }
  return row;
}
