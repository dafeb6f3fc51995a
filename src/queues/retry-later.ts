/**
 * Not a failure: the job must wait for something else (a conversation's first card) and come
 * back after `delayMs` without spending one of its attempts.
 */
export class RetryLater extends Error {
  override name = 'RetryLater';
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
  }
}
