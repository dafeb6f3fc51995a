/**
 * Keeps a running service on the newest trained model: when the TRIAGE_MODEL file changes (a
 * nightly `carebot train --from-db`), it is loaded and swapped in, no restart. A file that does
 * not load leaves the current model in place and says why. It polls the file's stat
 * (fs.watchFile) rather than using fs.watch, which loses track of a file replaced by rename, as
 * `saveModel` replaces it.
 */
import { type Stats, unwatchFile, watchFile } from 'node:fs';
import type { Logger } from '../shared/log.js';
import { loadModel, type Triage } from './model.js';

export const MODEL_POLL_MS = 2_000;

export function watchModel(file: string, triage: Triage, log: Logger, intervalMs = MODEL_POLL_MS): { stop(): void } {
  // Two changes close together: only the newer load may win, whichever finishes first.
  let latest = 0;
  const onChange = (cur: Stats, prev: Stats) => {
    if (cur.mtimeMs === prev.mtimeMs && cur.size === prev.size) return;
    // Deleted: the model in memory stays; a file put back is a change like any other.
    if (cur.nlink === 0) return;
    const attempt = ++latest;
    loadModel(file).then(
      (model) => {
        if (attempt !== latest) return;
        triage.useModel(model);
        log.info({ file, rows: model.rows, trainedAt: model.trainedAt }, 'triage model reloaded');
      },
      (err: Error) => {
        if (attempt === latest) log.warn({ err: err.message }, 'triage model not reloaded; the current one stays');
      },
    );
  };
  watchFile(file, { interval: intervalMs }, onChange);
  return { stop: () => unwatchFile(file, onChange) };
}
