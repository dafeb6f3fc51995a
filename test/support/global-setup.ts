import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/open.js';
import { CHROMIUM, hasChromium } from '../sandbox/browser.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteSnapshot: string;
  }
}

/**
 * The suites that run only where their dependency is: each says what it covers, whether it runs,
 * and when it does not, why and how to turn it on.
 */
const optional = [
  {
    suite: 'PostgreSQL',
    covers:
      'the PostgreSQL half of every database test, the worker-crash, follow-up-crash, split-broadcast and concurrent-SLA tests, the PostgreSQL cuts',
    on: Boolean(process.env.TEST_DATABASE_URL),
    why: 'TEST_DATABASE_URL is not set',
    fix: 'set it to a server where the tests may create databases, e.g. TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test',
  },
  {
    suite: 'Chromium',
    covers: 'the sandbox page and its outage scenario (test/sandbox/demo.test.ts)',
    on: hasChromium,
    why: `${CHROMIUM} is missing`,
    fix: 'apt-get install chromium',
  },
];

/**
 * Says at the start of `npm test` which suites run, and one line per suite family it skips with
 * the reason and the fix, so a skip is never silent. A developer may go without PostgreSQL or
 * Chromium; CI may not: a skipped suite there would pass unseen, so CI stops instead.
 */
function announceSuites(): void {
  const skipped = optional.filter((o) => !o.on);
  if (process.env.CI && skipped.length) {
    throw new Error(`CI runs every suite: ${skipped.map((o) => `${o.suite}: ${o.why}`).join('; ')}`);
  }
  console.log(`suites: PGlite${optional.map((o) => (o.on ? `, ${o.suite}` : '')).join('')}`);
  for (const o of skipped) console.log(`skipped: ${o.suite} suites (${o.covers}): ${o.why}; to run them, ${o.fix}`);
}

/** initdb + migrations take seconds: do them once and let every test start from the dump. */
export default async function setup(project: TestProject) {
  announceSuites();
  const pglite = await PGlite.create('memory://');
  const database = await openDatabase({ pglite });
  await database.migrate();
  const dump = await pglite.dumpDataDir('gzip');
  const path = join(tmpdir(), `carebot-pglite-${process.pid}.tar.gz`);
  writeFileSync(path, Buffer.from(await dump.arrayBuffer()));
  await pglite.close();
  project.provide('pgliteSnapshot', path);
  return () => rmSync(path, { force: true });
}
