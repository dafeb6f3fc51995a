import type { Config } from '../config/index.js';
import type { Incoming, Mention, Platform } from './mention.js';
import type { Logger } from './shared/log.js';
import type { Mount } from './shared/mount.js';

/** What the network says about a reply or a broadcast it accepted. */
export interface Sent {
  externalId: string;
  url: string | null;
}

/** The customer message a reply answers, as stored. */
export type ReplyTarget = Pick<Mention, 'platform' | 'externalId' | 'conversationId' | 'author' | 'private'> & {
  payload: unknown;
};

/**
 * A network said no. `kind` tells the caller what is safe to do next:
 * - rate_limited: nothing was done; try again after `retryAfterMs`;
 * - unavailable: nothing was done (an error response or a refused connection); retry with backoff;
 * - rejected: the network refused this request for good (deleted tweet, blocked DM, too long).
 */
export class ConnectorError extends Error {
  override name = 'ConnectorError';
  constructor(
    message: string,
    readonly kind: 'rate_limited' | 'unavailable' | 'rejected',
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/**
 * What a connector may keep in carebot's database, and all it may read there: a network never
 * touches the tables itself, so the schema can change without a connector knowing.
 */
export interface ConnectorStore {
  /** A named value that outlives the process: a poll cursor, a sealed token set. */
  cursor(name: string): Promise<string | undefined>;
  saveCursor(name: string, value: string): Promise<void>;
  /**
   * Runs `update` holding a lock on the named value that every carebot process respects, so a
   * value read, spent with the network and replaced (a rotating refresh token) is never spent
   * twice. `save` writes within the same lock.
   */
  updateCursor<T>(name: string, update: (current: string | undefined, save: (value: string) => Promise<void>) => Promise<T>): Promise<T>;
  /**
   * The highest external id (compared as a number: snowflakes, tweet ids) stored from this
   * network whose payload has `payloadKey` equal to `value`: where to catch up from after a restart.
   */
  highestStoredId(platform: Platform, payloadKey: string, value: string): Promise<string | undefined>;
}

/** The sink a connector hands what it receives to (src/pipeline/receive.ts). */
export type Receive = (items: Incoming[]) => Promise<{ stored: number; duplicates: number }>;

/** One network. Each connector lives in connectors/<network>/ and is on when its credentials are set. */
export interface Connector {
  readonly platform: Platform;
  /** Checked before anything is sent, so an agent hears what is wrong at once. */
  readonly limits: { textLength: number };
  /** Listeners that push (a gateway, a socket); polling connectors leave this out. */
  start?(receive: Receive): Promise<void>;
  /** One poll round; returns how long to wait before the next (adapted to rate limits). */
  poll?(receive: Receive): Promise<{ nextInMs: number }>;
  /**
   * `idempotencyKey` names this reply for good (the same on every retry): networks that can
   * deduplicate on it (the generic webhook's callback) are given it.
   */
  reply(to: ReplyTarget, text: string, opts?: { idempotencyKey?: string }): Promise<Sent>;
  /**
   * The brand's reply to `to` posted since `since`, or null when the network shows none: asked
   * about a reply whose sender died during the call, before it is sent again. A network that
   * cannot tell for sure leaves this out or throws a 'rejected' ConnectorError.
   */
  findReply?(to: ReplyTarget, since: Date): Promise<Sent | null>;
  /**
   * A public status update from the brand's account (a tweet; a Discord announcement,
   * crossposted). `inReplyTo` threads a later update under the first one.
   */
  broadcast?(text: string, opts?: { inReplyTo?: string }): Promise<Sent>;
  stop?(): Promise<void>;
}

/**
 * A network as connectors/registry.ts holds it: what the core may ask of it whether or not it
 * is on. Its SDK is loaded by `create`, only when it is on (discord.js alone weighs about 55 MB).
 */
export interface Network {
  /** Its payload → the normalized Mention. Pure: stored rows are normalized whatever is on. */
  normalize(payload: unknown): Mention;
  /** Whether its credentials are set. */
  isOn(config: Config): boolean;
  create(config: Config, deps: { store: ConnectorStore; log: Logger }): Promise<Connector>;
  /** `carebot doctor`: what works, in a few words, or throws saying what does not. */
  check?(config: Config, store: ConnectorStore): Promise<string>;
  /** The routes it receives webhooks on. */
  /** What it needs besides the pipeline: the store (a revoke recorded for `carebot doctor`) and the log. */
  routes?(config: Config, receive: Receive, deps: { store: ConnectorStore; log: Logger }): Mount;
}
