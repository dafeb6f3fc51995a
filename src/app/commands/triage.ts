/**
 * `carebot triage [--input FILE] [--model FILE]`: JSON Lines in (`{"id","text"}`, optional
 * `platform`, `authorFollowers`, ...), one JSON line out per line in, same order. A line that
 * cannot be triaged is answered with `{"id","error"}` and the rest go on.
 */
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createTriage, loadModel, type Triage, type TriageInput, type TriageModel } from '../../triage/index.js';
import { CommandError, openForReading } from './errors.js';

export interface TriageCommandOptions {
  input?: string;
  model?: string;
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
}

export async function runTriageCommand(opts: TriageCommandOptions): Promise<void> {
  const model = opts.model ? await loadModelFile('--model', opts.model) : undefined;
  const triage = createTriage({ model });
  const input = opts.input ? (await openForReading('cannot read the input', '--input', opts.input)).createReadStream() : opts.stdin;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (!opts.stdout.write(`${answer(triage, line)}\n`)) await once(opts.stdout, 'drain');
  }
}

/** A model written by `carebot train`, or one line saying why it cannot be used. */
export async function loadModelFile(flag: string, path: string): Promise<TriageModel> {
  await (await openForReading('cannot load triage model', flag, path)).close();
  try {
    return await loadModel(path);
  } catch (err) {
    const reason = (err as Error).message.replace(`cannot load triage model ${path}: `, '').split('\n')[0];
    throw new CommandError(`cannot load triage model: ${reason} (${flag} ${path})`);
  }
}

function answer(triage: Triage, line: string): string {
  let id: unknown = null;
  try {
    const row: unknown = JSON.parse(line);
    if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new Error('expected a JSON object');
    const r = row as Record<string, unknown>;
    id = r.id ?? null;
    return JSON.stringify({ id, ...triage.triage(toInput(r)) });
  } catch (err) {
    const message = err instanceof SyntaxError ? `not JSON: ${err.message}` : (err as Error).message;
    return JSON.stringify({ id, error: line.trim() === '' ? 'empty line' : message });
  }
}

function toInput(r: Record<string, unknown>): TriageInput {
  if (typeof r.text !== 'string') throw new Error('"text" must be a string');
  return {
    text: r.text,
    platform: optional(r, 'platform', 'string'),
    authorFollowers: optionalCount(r, 'authorFollowers'),
    authorId: optional(r, 'authorId', 'string'),
    authorHandle: optional(r, 'authorHandle', 'string'),
    recentContacts: optionalCount(r, 'recentContacts'),
  };
}

function optional(r: Record<string, unknown>, key: string, type: 'string'): string | undefined {
  const v = r[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== type) throw new Error(`"${key}" must be a ${type}`);
  return v as string;
}

function optionalCount(r: Record<string, unknown>, key: string): number | undefined {
  const v = r[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new Error(`"${key}" must be a whole number ≥ 0`);
  return v;
}
