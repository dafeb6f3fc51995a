/**
 * `work`, or a rejection once `ms` have passed: for a call that may wait for ever on something
 * unreachable (BullMQ waits for a Redis that was never up). The rejection names `late` when it is
 * a string, or is the error `late` makes. `work` itself goes on; whatever it does later must be
 * harmless (a job added twice under one id is added once).
 */
export function withDeadline<T>(work: Promise<T>, ms: number, late: string | (() => Error)): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(typeof late === 'string' ? new Error(`${late}: no answer within ${ms / 1000} s`) : late()), ms);
    timer.unref();
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
