import { z } from 'zod';
import type { Mention } from '../../src/mention.js';
import { plausibleDate } from '../../src/shared/plausible-date.js';
import { storableString } from '../../src/shared/well-formed.js';

/** A link a card may show: http(s) only (z.url() alone also takes `javascript:` and `data:`), of a sane length. */
const webLink = () => z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).max(2048);

/** The body of `POST /webhooks/generic/<source>`: the format documented in docs/webhook.md. */
export const webhookBodySchema = z.strictObject({
  id: storableString().min(1).max(100),
  text: storableString().min(1).max(20_000),
  author: z.strictObject({
    id: storableString().min(1).max(100),
    handle: storableString().min(1).max(100),
    name: storableString().max(200).optional(),
    followers: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).optional(),
    url: webLink().optional(),
  }),
  conversationId: storableString().min(1).max(100).optional(),
  inReplyTo: storableString().min(1).max(100).optional(),
  url: webLink().optional(),
  createdAt: z.iso
    .datetime({ offset: true })
    .refine((v) => plausibleDate(Date.parse(v)), 'expected a date between 2006-03-01 and tomorrow')
    .optional(),
  language: storableString().min(2).max(16).optional(),
});
export type WebhookBody = z.infer<typeof webhookBodySchema>;

/** Stored per mention: which configured source sent it, and what it sent. */
export const webhookPayloadSchema = z.object({ source: z.string(), body: webhookBodySchema });

/** Ids are only unique within one source, so they are qualified by it. */
export const webhookExternalId = (source: string, id: string) => `${source}/${id}`;

export function normalizeWebhook(payload: unknown): Mention {
  const { source, body } = webhookPayloadSchema.parse(payload);
  return {
    platform: 'webhook',
    externalId: webhookExternalId(source, body.id),
    conversationId: webhookExternalId(source, body.conversationId ?? body.id),
    inReplyTo: body.inReplyTo ? webhookExternalId(source, body.inReplyTo) : null,
    author: {
      id: body.author.id,
      handle: body.author.handle,
      displayName: body.author.name ?? null,
      followers: body.author.followers ?? null,
      profileUrl: body.author.url ?? null,
    },
    text: body.text,
    url: body.url ?? null,
    createdAt: body.createdAt ? new Date(body.createdAt) : new Date(),
    language: body.language ?? null,
    private: false,
    attachments: [],
  };
}
