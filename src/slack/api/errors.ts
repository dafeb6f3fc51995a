import { ErrorCode, type WebAPIPlatformError } from '@slack/web-api';

/**
 * Slack answered and did not post: an `ok: false` answer or a 429. (A network error or a 5xx
 * leaves it unknown whether the message went out, so those are not "no".)
 */
export function slackSaidNo(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === ErrorCode.PlatformError || code === ErrorCode.RateLimitedError;
}

/** Refusals of this message itself: sending it again can only get the same answer. */
const refusedForGood = new Set([
  'msg_too_long',
  'no_text',
  'invalid_blocks',
  'invalid_metadata_format',
  'invalid_metadata_schema',
  'too_many_attachments',
]);

export function slackRefusedForGood(err: unknown): boolean {
  return (err as { code?: string })?.code === ErrorCode.PlatformError && refusedForGood.has((err as WebAPIPlatformError).data.error ?? '');
}
