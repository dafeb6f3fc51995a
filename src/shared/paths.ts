import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
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

/**
 * Makes `dir` (created if missing) its owner's alone: the directory 0700, which keeps everyone
 * else out of whatever is created beneath it later, and group and other access taken off what
 * is already there (a file 0666 becomes 0600). For data carebot keeps on disk (embedded PGlite):
 * the customers' messages. Symbolic links are left as they are and not followed.
 */
export function ownerOnly(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  restrict(dir);
}

function restrict(path: string): void {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return;
  if (st.isDirectory()) {
    if ((st.mode & 0o777) !== 0o700) chmodSync(path, 0o700);
    for (const name of readdirSync(path)) restrict(join(path, name));
  } else if (st.mode & 0o077) chmodSync(path, st.mode & 0o700);
}
