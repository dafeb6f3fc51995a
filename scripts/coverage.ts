// npx tsx scripts/coverage.ts — line coverage per area, from the last run's coverage/coverage-summary.json
// (`npm test` in CI, or `npm test -- --coverage`), beside each area's floor in vitest.config.ts.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import config from '../vitest.config.js';

interface Counts {
  total: number;
  covered: number;
}
type Summary = Record<string, { lines: Counts }>;

const floors = (config.test?.coverage as { thresholds?: Record<string, { lines?: number }> } | undefined)?.thresholds ?? {};
const summary = JSON.parse(readFileSync('coverage/coverage-summary.json', 'utf8')) as Summary;
const areas = new Map<string, Counts>(Object.keys(floors).map((glob) => [glob, { total: 0, covered: 0 }]));
for (const [file, { lines }] of Object.entries(summary)) {
  if (file === 'total') continue;
  const path = relative(process.cwd(), file);
  // Every area is a folder (`src/pipeline/**`).
  const area = [...areas.keys()].find((glob) => path.startsWith(glob.replace(/\*\*$/, '')));
  if (!area) continue;
  const sum = areas.get(area)!;
  sum.total += lines.total;
  sum.covered += lines.covered;
}
const pct = (c: Counts) => (c.total ? (100 * c.covered) / c.total : 100);
console.log('coverage (lines)   area                 floor');
for (const [area, counts] of areas) {
  console.log(`${pct(counts).toFixed(1).padStart(6)} %           ${area.padEnd(20)} ${floors[area]?.lines ?? '-'} %`);
}
const total = summary.total?.lines;
if (total) console.log(`${pct(total).toFixed(1).padStart(6)} %           all`);
