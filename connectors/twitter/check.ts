import type { Config } from '../../config/index.js';
import type { ConnectorStore } from '../../src/connector.js';
import { createTwitterClients } from './client.js';
import { dmPollingOff } from './dm.js';
import { twitterError } from './errors.js';
import { revokedError } from './revoked.js';
import { mentionsTimeline } from './timelines.js';
import { asBrand } from './user-context.js';

/** `carebot doctor`: do the X credentials work? One call per credential that is set. */
export async function checkTwitter(config: Config, store: ConnectorStore): Promise<string> {
  const { read, user } = createTwitterClients(config, store);
  if (!read && !user) return `off (${config.networks.twitterRead.why})`;
  const said: string[] = [];
  let brandId = config.TWITTER_USER_ID;
  let step = 'users/me';
  try {
    if (user) {
      const { data } = await asBrand(user, (c) => c.v2.me());
      brandId = data.id;
      said.push(`posting as @${data.username} (${data.id})`);
    }
    if (read && config.TWITTER_USER_ID) {
      step = 'the mentions timeline';
      await mentionsTimeline(read, config.TWITTER_USER_ID).page(undefined, undefined);
      said.push(`reading mentions of ${config.TWITTER_USER_ID}`);
    } else {
      said.push(
        read ? 'bearer token set (mentions need TWITTER_USER_ID or posting credentials)' : 'reading off (TWITTER_BEARER_TOKEN not set)',
      );
    }
  } catch (err) {
    // The store is read only now: opening the database takes seconds, and only a refusal needs the webhook's record.
    throw (await revokedError(err, store)) ?? twitterError(err, step);
  }
  const dmsOff = dmPollingOff(config, { user: Boolean(user), brandId });
  if (dmsOff) said.push(dmsOff);
  return said.join('; ');
}
