import type { Mention, Platform } from '../src/mention.js';
import { normalizeDiscordMessage } from './discord/normalize.js';
import { normalizeTweet } from './twitter/normalize.js';
import { normalizeWebhook } from './webhook/normalize.js';

/** Each network's payload → the normalized Mention. Pure: runs without any credentials. */
export const normalizers: Record<Platform, (payload: unknown) => Mention> = {
  twitter: normalizeTweet,
  discord: normalizeDiscordMessage,
  webhook: normalizeWebhook,
};
