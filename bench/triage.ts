// npm run bench:triage [-- --json FILE] [--runs N] [--n MENTIONS]
//
// Triage throughput on one core (this process's one JavaScript thread): the default engine
// (rules and lexicons) and the engine with a trained model, next to the bare `sentiment`
// package call on the same texts in the same run as the yardstick. Each figure is the median
// of several runs; the texts are real support tweets from ../shared/data when present.
//
// The model is trained here on the bench texts labelled by the default engine itself: its
// speed depends on its shape (all four heads, the feature hashing), not on what it learned.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import Sentiment from 'sentiment';
import { createTriage, trainModel, type TrainingRow, type Triage } from '../src/triage/index.js';
import { supportTexts } from './data.js';
import { median, round } from './stats.js';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: { json: { type: 'string' }, runs: { type: 'string', default: '7' }, n: { type: 'string', default: '20000' } },
  strict: true,
});
const runs = Number(args.runs);
const n = Number(args.n);
const goals = { default: 50_000, trained: 20_000 };

const source = supportTexts();
const texts = Array.from({ length: n }, (_, i) => source.texts[i % source.texts.length]!);

const bare = new Sentiment();
const rules = createTriage();
const training: TrainingRow[] = source.texts.slice(0, 4_000).map((text) => {
  const r = rules.triage({ text });
  return { text, sentiment: r.sentiment.label, category: r.category, complaint: r.complaint, needsResponse: r.needsResponse };
});
const t0 = performance.now();
const trained = createTriage({ model: trainModel(training) });
const trainSeconds = (performance.now() - t0) / 1000;

const triageAll = (t: Triage) => () => {
  for (let i = 0; i < texts.length; i++) t.triage({ text: texts[i]!, authorFollowers: i % 5_000 });
};
const subjects: Record<string, () => void> = {
  'sentiment (bare analyze)': () => {
    for (const text of texts) bare.analyze(text);
  },
  'triage, default engine': triageAll(rules),
  'triage, trained model': triageAll(trained),
};

/** Mentions per second of each subject, runs interleaved so that a noisy neighbour hits all alike. */
const samples: Record<string, number[]> = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]));
for (const fn of Object.values(subjects)) fn(); // warm-up: JIT and lazily built tables
for (let r = 0; r < runs; r++) {
  for (const [name, fn] of Object.entries(subjects)) {
    const start = performance.now();
    fn();
    samples[name]!.push(texts.length / ((performance.now() - start) / 1000));
  }
}

const result = Object.fromEntries(
  Object.entries(samples).map(([name, xs]) => [
    name,
    { median: round(median(xs)), min: round(Math.min(...xs)), max: round(Math.max(...xs)) },
  ]),
);
const bareRate = result['sentiment (bare analyze)']!.median;
const rows: [string, number, string][] = [
  ['sentiment (bare analyze)', bareRate, ''],
  ['triage, default engine', result['triage, default engine']!.median, `goal ≥ ${goals.default.toLocaleString('en')}`],
  ['triage, trained model', result['triage, trained model']!.median, `goal ≥ ${goals.trained.toLocaleString('en')}`],
];
console.log(`triage throughput, one core — ${texts.length} mentions × ${runs} runs, median (texts: ${source.name})`);
console.log(`  ${'subject'.padEnd(28)}${'mentions/s'.padStart(12)}${'× bare'.padStart(9)}   goal`);
for (const [name, rate, goal] of rows) {
  console.log(
    `  ${name.padEnd(28)}${Math.round(rate).toLocaleString('en').padStart(12)}${(rate / bareRate).toFixed(2).padStart(9)}   ${goal}`,
  );
}
console.log(
  `  (model trained on ${training.length} rows in ${trainSeconds.toFixed(1)} s; ${os.cpus()[0]?.model.trim()}, node ${process.version})`,
);

if (args.json) {
  const report = {
    texts: source.name,
    mentions: texts.length,
    runs,
    machine: { cpu: os.cpus()[0]?.model.trim(), node: process.version, loadavg_at_end: os.loadavg() },
    goals,
    mentions_per_second: result,
    ratio_to_bare: Object.fromEntries(rows.map(([name, rate]) => [name, round(rate / bareRate, 3)])),
    train_seconds: round(trainSeconds, 1),
  };
  writeFileSync(args.json, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`figures written to ${args.json}`);
}
