import { withDeadline } from '../../src/shared/deadline.js';
import { ApiRequestError } from 'twitter-api-v2';
import type { Config } from '../../config/index.js';
import type { ConnectorStore } from '../../src/connector.js';
import { createTwitterClients } from './client.js';
import { dmPollingOff } from './dm.js';
import { socketError, twitterError } from './errors.js';
import { revokedError } from './revoked.js';
import { mentionsTimeline } from './timelines.js';
import { asBrand } from './user-context.js';

/** How long one call to X may take before the check gives up on it. */
const TIMEOUT_MS = 3000;

/** What the check asks with: the API base and which credentials, never their values. */
export function twitterTarget(config: Config): string {
  const creds: string[] = [];
  if (config.TWITTER_BEARER_TOKEN) creds.push('bearer token');
  if (config.TWITTER_API_KEY && config.TWITTER_API_SECRET && config.TWITTER_ACCESS_TOKEN && config.TWITTER_ACCESS_SECRET)
    creds.push('OAuth 1.0a user tokens');
  else if (config.TWITTER_CLIENT_ID && config.TWITTER_OAUTH2_REFRESH_TOKEN) creds.push('OAuth 2.0 refresh token');
  return `${(config.TWITTER_API_URL ?? 'https://api.x.com').replace(/\/$/, '')} (${creds.join(', ') || 'no credentials'})`;
}

const bounded = <T>(p: Promise<T>): Promise<T> => withDeadline(p, TIMEOUT_MS, () => new Error(`timeout after ${TIMEOUT_MS / 1000} s`));

/** X's answer, or the reason there was none (`ECONNREFUSED`, a timeout): never just "Request failed." */
async function reason(err: unknown, step: string, store: ConnectorStore): Promise<string> {
  // The store is read only now: opening the database takes time, and only a refusal needs the webhook's record.
  const revoked = await revokedError(err, store).catch(() => undefined);
  if (revoked) return revoked.message;
  if (err instanceof ApiRequestError) {
    const e = socketError(err);
    return `X unreachable on ${step}: ${e?.code ?? e?.errors?.[0]?.code ?? e?.message ?? err.message}`;
  }
  const known = twitterError(err, step);
  return known instanceof Error ? known.message : String(known);
}

/**
 * `carebot doctor`: do the X credentials work? One call per credential that is set, each bounded.
 * Answers `<API base> (<credentials>): <what works>`, or throws an Error saying the same with the
 * cause (its `cause` is the original error).
 */
export async function checkTwitter(config: Config, store: ConnectorStore): Promise<string> {
  const { read, user } = createTwitterClients(config, store);
  if (!read && !user) return `off (${config.networks.twitterRead.why})`;
  const target = twitterTarget(config);
  const said: string[] = [];
  let brandId = config.TWITTER_USER_ID;
  let step = 'users/me';
  try {
    if (user) {
      const { data } = await bounded(asBrand(user, (c) => c.v2.me()));
      brandId = data.id;
      said.push(`posting as @${data.username} (${data.id})`);
    }
    if (read && config.TWITTER_USER_ID) {
      step = 'the mentions timeline';
      await bounded(mentionsTimeline(read, config.TWITTER_USER_ID).page(undefined, undefined));
      said.push(`reading mentions of ${config.TWITTER_USER_ID}`);
    } else {
      said.push(
        read ? 'bearer token set (mentions need TWITTER_USER_ID or posting credentials)' : 'reading off (TWITTER_BEARER_TOKEN not set)',
      );
    }
  } catch (err) {
    throw new Error(`${target}: ${await reason(err, step, store)}`, { cause: err });
  }
  const dmsOff = dmPollingOff(config, { user: Boolean(user), brandId });
  if (dmsOff) said.push(dmsOff);
  return `${target}: ${said.join('; ')}`;
}
