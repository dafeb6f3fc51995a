import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** Writes CAREBOT_CONFIG YAML files into one temp dir, removed after the test file. */
export function configFiles(): (yaml: string) => string {
  const dir = mkdtempSync(join(tmpdir(), 'carebot-yaml-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let files = 0;
  return (yaml) => {
    const path = join(dir, `${++files}.yaml`);
    writeFileSync(path, yaml);
    return path;
  };
}
