import { spawn } from 'node:child_process';
import type { TrainingRow } from '../../src/triage/index.js';

/** `carebot <args>` as its own process (the way a user runs it), fed `stdin`. */
export function carebot(args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.stdin ?? '');
  });
}

export const jsonLines = (s: string): Record<string, unknown>[] =>
  s
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/**
 * Hand-written rows that teach made-up product names a meaning no lexicon gives them: the
 * rules alone call "the zorblax ..." neutral, a model trained on these calls it a complaint.
 */
export function inventedRows(n = 30): TrainingRow[] {
  const rows: TrainingRow[] = [];
  const places = ['at home', 'at work', 'this morning', 'on my phone', 'on the laptop', 'tonight'];
  for (let i = 0; i < n; i++) {
    const where = places[i % places.length]!;
    rows.push({ text: `the zorblax thing happened ${where} ${i}`, sentiment: 'negative', complaint: true, needsResponse: true });
    rows.push({ text: `the flumbo thing happened ${where} ${i}`, sentiment: 'positive', complaint: false, needsResponse: false });
  }
  return rows;
}
