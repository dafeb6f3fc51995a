import { createHash } from 'node:crypto';
import { ApiResponseError, TwitterApi, type IClientSettings } from 'twitter-api-v2';
import { ConnectorError, type ConnectorStore } from '../../src/connector.js';
import { sealerFrom } from './sealed.js';
import type { UserContext } from './user-context.js';

/** Refreshed this long before X says the access token expires, so no call goes out with a dying one. */
const EARLY_MS = 5 * 60_000;
const ROW = 'twitter:oauth2';

interface TokenSet {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  /** Which TWITTER_OAUTH2_REFRESH_TOKEN this chain grew from: a new one in the environment starts over. */
  seed: string;
}

export interface OAuth2Settings {
  clientId: string;
  /** Confidential clients only; public clients send just their id. */
  clientSecret?: string;
  refreshToken: string;
}

const fresh = (t: TokenSet | undefined): t is TokenSet => !!t && t.expiresAt - EARLY_MS > Date.now();

function refreshError(err: unknown): unknown {
  if (!(err instanceof ApiResponseError) || err.code >= 500 || err.code === 429) return err;
  const data = err.data as { error?: string; error_description?: string };
  return new ConnectorError(
    `X refused the OAuth 2.0 refresh token (${data.error ?? err.code}: ${data.error_description ?? err.message}): authorize carebot again and set TWITTER_OAUTH2_REFRESH_TOKEN`,
    'rejected',
  );
}

/**
 * OAuth 2.0 user context whose tokens live in the database. X rotates the refresh token on
 * every use and the old one stops working, so each new pair is stored in the same transaction
 * that spent the old one, under an advisory lock: several carebot processes never spend one
 * refresh token twice, and a restart goes on with the newest. The stored set is sealed with a
 * key derived from TWITTER_OAUTH2_REFRESH_TOKEN (sealed.ts).
 */
export function oauth2UserContext(store: ConnectorStore, settings: OAuth2Settings, clientSettings?: Partial<IClientSettings>): UserContext {
  const seed = createHash('sha256').update(settings.refreshToken).digest('hex').slice(0, 16);
  const app = new TwitterApi({ clientId: settings.clientId, clientSecret: settings.clientSecret }, clientSettings);
  let cached: { token: TokenSet; client: TwitterApi } | undefined;

  const sealer = sealerFrom(settings.refreshToken, ROW);

  /** The stored set, unless it grew from another seed; rows written in plain text before sealing still count. */
  const parse = (value: string | undefined): TokenSet | undefined => {
    const plain = value && (value.startsWith('{') ? value : sealer.open(value));
    const token = plain ? (JSON.parse(plain) as TokenSet) : undefined;
    return token?.seed === seed ? token : undefined;
  };

  /** A new token set, unless another process made one since `stale` was handed out. */
  const refresh = (stale?: string): Promise<TokenSet> =>
    store.updateCursor(ROW, async (stored, save) => {
      const current = parse(stored);
      if (fresh(current) && current.accessToken !== stale) return current;
      const result = await app.refreshOAuth2Token(current?.refreshToken ?? settings.refreshToken).catch((err: unknown) => {
        throw refreshError(err);
      });
      if (!result.refreshToken)
        throw new ConnectorError('X sent no new refresh token: authorize carebot with the offline.access scope', 'rejected');
      const token: TokenSet = {
        accessToken: result.accessToken,
        refreshToken: result.refreshToken,
        expiresAt: Date.now() + result.expiresIn * 1000,
        seed,
      };
      await save(sealer.seal(JSON.stringify(token)));
      return token;
    });

  const use = (token: TokenSet) => {
    cached = { token, client: new TwitterApi(token.accessToken, clientSettings) };
    return cached.client;
  };

  return {
    async client() {
      if (fresh(cached?.token)) return cached.client;
      const stored = parse(await store.cursor(ROW));
      return use(fresh(stored) ? stored : await refresh());
    },
    async renew() {
      use(await refresh(cached?.token.accessToken));
    },
  };
}
