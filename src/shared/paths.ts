import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

/** The package root, the same whether running from src/ (tsx, vitest) or dist/src/ (built). */
export const packageRoot = findRoot(dirname(fileURLToPath(import.meta.url)));
export const migrationsFolder = join(packageRoot, 'src/db/migrations');
