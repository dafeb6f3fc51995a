/**
 * Runs the work for one message in the order its events arrived. Handlers store asynchronously
 * (and retry), so a delete right after a send ("wrong channel, sorry") could otherwise reach the
 * pipeline before the message it deletes, and be ignored as a delete of nothing.
 */
export function perMessage(): <T>(messageId: string, work: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>();
  return (messageId, work) => {
    const run = (tails.get(messageId) ?? Promise.resolve()).then(work, work);
    const tail = run.catch(() => undefined);
    tails.set(messageId, tail);
    // Forgotten once nothing more is queued for it, so the map holds only messages in flight.
    void tail.then(() => {
      if (tails.get(messageId) === tail) tails.delete(messageId);
    });
    return run;
  };
}
