/**
 * `work`, or a rejection naming `what` once `ms` have passed: for a call that may wait for ever
 * on something unreachable (BullMQ waits for a Redis that was never up). `work` itself goes on;
 * whatever it does later must be harmless (a job added twice under one id is added once).
 */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
    timer.unref();
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
