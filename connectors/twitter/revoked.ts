import { ApiResponseError } from 'twitter-api-v2';
import { ConnectorError, type ConnectorStore } from '../../src/connector.js';

/** The cursor that remembers X's revoke event: `{ userId, at }`, or '' once access works again. */
export const REVOKED_CURSOR = 'twitter:revoked';

export interface Revoked {
  userId: string;
  /** When X says it happened (ISO), or when carebot heard it. */
  at: string;
}

export async function revokedAccess(store: ConnectorStore): Promise<Revoked | undefined> {
  const value = await store.cursor(REVOKED_CURSOR);
  if (!value) return undefined;
  try {
    return JSON.parse(value) as Revoked;
  } catch {
    return undefined;
  }
}

export const recordRevoked = (store: ConnectorStore, r: Revoked) => store.saveCursor(REVOKED_CURSOR, JSON.stringify(r));

/** A user-context call worked: whatever was revoked has been authorized again. */
export async function clearRevoked(store: ConnectorStore): Promise<void> {
  if (await store.cursor(REVOKED_CURSOR)) await store.saveCursor(REVOKED_CURSOR, '');
}

export const revokedMessage = (r: Revoked) =>
  `X access was revoked by user ${r.userId} at ${r.at} (Account Activity user_event.revoke): authorize carebot on X again and set new credentials`;

/**
 * X's 401/403 after a recorded revoke says why plainly; anything else is left to `twitterError`.
 * Without the record, a 401/403 may be a missing permission as well, so it is not called a revoke.
 */
export async function revokedError(err: unknown, store: ConnectorStore): Promise<ConnectorError | undefined> {
  if (!(err instanceof ApiResponseError) || (err.code !== 401 && err.code !== 403)) return undefined;
  const r = await revokedAccess(store);
  return r ? new ConnectorError(revokedMessage(r), 'rejected') : undefined;
}
