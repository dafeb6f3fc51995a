import type { TrainingRow } from '../../src/triage/index.js';
import { runCarebot } from '../support/child.js';

/** `carebot <args>` as its own process (the way a user runs it), fed `stdin`. */
export const carebot = runCarebot;

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
