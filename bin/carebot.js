#!/usr/bin/env node
// The compiled CLI; `npm install` builds it (the `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/src/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  console.error('carebot: not built yet — run `npm run build` (npm install does it for you)');
  process.exit(1);
}
await import(cli.href);
