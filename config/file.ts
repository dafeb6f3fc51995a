import { z } from 'zod';

const platform = z.enum(['twitter', 'discord', 'webhook']);
const channelId = z.string().regex(/^[CGD][A-Z0-9]+$/, 'expected a Slack channel id such as C0123456789');
const priority = z.enum(['P1', 'P2', 'P3', 'P4']);

/** A routing rule sends matching mentions to a channel; the first rule that matches wins. */
export const routeSchema = z.strictObject({
  channel: channelId,
  priority: z.array(priority).optional(),
  category: z.array(z.string()).optional(),
  platform: z.array(platform).optional(),
  language: z.array(z.string()).optional(),
  keyword: z.array(z.string().min(1)).optional(),
});

const webhookSource = z.strictObject({
  secret: z.string().min(16, 'expected at least 16 characters'),
  callbackUrl: z.url().optional(),
});

/** The optional YAML file (CAREBOT_CONFIG): what a support team tunes without touching code. */
export const fileSchema = z.strictObject({
  brand: z
    .strictObject({
      name: z.string().optional(),
      handles: z.array(z.string()).default([]),
      keywords: z.array(z.string()).default([]),
    })
    .default({ handles: [], keywords: [] }),
  routes: z.array(routeSchema).default([]),
  vip: z.array(z.string()).default([]),
  webhooks: z.record(z.string().regex(/^[a-z0-9_-]+$/), webhookSource).default({}),
});

export type FileConfig = z.infer<typeof fileSchema>;
export type Route = z.infer<typeof routeSchema>;
