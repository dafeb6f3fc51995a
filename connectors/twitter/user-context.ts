import { ApiResponseError, type TwitterApi } from 'twitter-api-v2';

/** Posting as the brand: OAuth 1.0a user tokens, or an OAuth 2.0 user token refreshed as needed. */
export interface UserContext {
  client(): Promise<TwitterApi>;
  /** Gets a new access token; only OAuth 2.0 tokens can be renewed. */
  renew?(): Promise<void>;
}

/**
 * Runs a call as the brand. When X answers 401 to an OAuth 2.0 token (expired or revoked early)
 * the token is renewed and the call made once more: a 401 did nothing, so repeating it is safe.
 */
export async function asBrand<T>(user: UserContext, call: (client: TwitterApi) => Promise<T>): Promise<T> {
  try {
    return await call(await user.client());
  } catch (err) {
    if (!(err instanceof ApiResponseError && err.code === 401 && user.renew)) throw err;
    await user.renew();
    return call(await user.client());
  }
}
