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

/** The suites that run only where their dependency is: each says whether it runs, and why not. */
const optional = [
  {
    suite: 'PostgreSQL (database tests, worker crash and split-process tests)',
    on: Boolean(process.env.TEST_DATABASE_URL),
    why: 'TEST_DATABASE_URL is not set',
  },
  { suite: 'Chromium (the sandbox page)', on: hasChromium, why: `${CHROMIUM} is missing (apt-get install chromium)` },
];

/**
 * Says which suites run. A developer may go without PostgreSQL or Chromium (a skip is named,
 * never silent); CI may not: a skipped suite there would pass unseen.
 */
function announceSuites(): void {
  const skipped = optional.filter((o) => !o.on);
  console.log(`suites: PGlite${optional.map((o) => (o.on ? `, ${o.suite}` : '')).join('')}`);
  for (const o of skipped) console.log(`skipped: ${o.suite}: ${o.why}`);
  if (process.env.CI && skipped.length) {
    throw new Error(`CI runs every suite: ${skipped.map((o) => `${o.suite}: ${o.why}`).join('; ')}`);
  }
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
