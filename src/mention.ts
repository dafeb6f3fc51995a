import { z } from 'zod';
import { platforms, type Platform } from '../connectors/networks.js';
import { plausibleDate } from './shared/plausible-date.js';

export { platforms, type Platform };

/**
 * What a customer sent along with (or instead of) words: shown on the card as a link, never
 * fetched by carebot. `url` is the network's own (it may need the viewer to be signed in).
 */
export const attachmentSchema = z.object({
  kind: z.enum(['image', 'video', 'audio', 'file', 'sticker']),
  name: z.string().max(256).nullable(),
  url: z.url().max(2048).nullable(),
});
export type Attachment = z.infer<typeof attachmentSchema>;

/**
 * The one normalized shape of a customer's message, whatever network it came from.
 * Connectors turn their payloads into this in their `normalize` module; the ingest stage
 * validates it against this schema before anything downstream sees it.
 */
export const mentionSchema = z
  .object({
    platform: z.enum(platforms),
    /** The network's own id; (platform, externalId) is unique. */
    externalId: z.string().min(1).max(128),
    /** Groups a customer's messages into one Slack thread (tweet conversation, Discord channel/thread). */
    conversationId: z.string().min(1).max(128),
    inReplyTo: z.string().max(128).nullable(),
    author: z.object({
      id: z.string().min(1).max(128),
      handle: z.string().min(1).max(128),
      displayName: z.string().max(256).nullable(),
      /** The `author_followers` column is a 32-bit integer; no account comes near it (the largest have about 0.2 billion). */
      followers: z.number().int().nonnegative().max(2_147_483_647).nullable(),
      profileUrl: z.url().nullable(),
    }),
    /** Empty only when the message is attachments alone (a sticker, a photo without words). */
    text: z.string().max(20_000),
    url: z.url().nullable(),
    /**
     * Within what a network can hold: JavaScript takes dates PostgreSQL refuses (year 10000 on),
     * and a date far ahead would steer the spike detector's clock.
     */
    createdAt: z.coerce.date().refine((d) => plausibleDate(d.getTime()), 'expected a date between 2006-03-01 and tomorrow'),
    /** As the network reports it; triage detects its own when this is null. */
    language: z.string().max(16).nullable(),
    /** A direct message: only the brand sees it, so replies go back privately and it is never quoted in public. */
    private: z.boolean(),
    attachments: z.array(attachmentSchema).max(20),
  })
  .refine((m) => m.text.trim() !== '' || m.attachments.length > 0, { message: 'empty text', path: ['text'] });

export type Mention = z.infer<typeof mentionSchema>;

/**
 * What a connector hands to the pipeline: just enough to store and dedup, plus the raw payload.
 * A message the customer changed after sending it comes the same way, marked with `change`:
 * `edited` carries the whole new payload, `deleted` only names the message.
 */
export type Incoming = {
  platform: Platform;
  externalId: string;
  /** The network's payload as received; the ingest stage normalizes it with the connector's `normalize`. */
  payload: unknown;
  change?: 'edited' | 'deleted';
};
