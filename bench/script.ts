// The frame of a benchmark script: a log on stderr with the seconds since start, cleanups that
// run in reverse order on success, on error and on Ctrl-C, and the exit code.
export function benchScript(name: string) {
  const startedAt = Date.now();
  const log = (msg: string) => process.stderr.write(`[${name} ${((Date.now() - startedAt) / 1000).toFixed(0).padStart(4)}s] ${msg}\n`);
  const cleanups: Array<() => Promise<unknown>> = [];
  let cleaning: Promise<void> | undefined;
  const cleanup = () =>
    (cleaning ??= (async () => {
      for (const c of cleanups.reverse()) await c().catch((err: Error) => log(`cleanup: ${err.message}`));
    })());
  process.once('SIGINT', () => {
    log('interrupted: cleaning up');
    void cleanup().then(() => process.exit(130));
  });
  return {
    startedAt,
    log,
    cleanups,
    cleanup,
    /** Runs `main`, then exits: 0, or 1 after printing the error and cleaning up. */
    run(main: () => Promise<void>): void {
      main().then(
        () => process.exit(0),
        async (err: Error) => {
          console.error(err.stack ?? err.message);
          await cleanup();
          process.exit(1);
        },
      );
    },
  };
}
