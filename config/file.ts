import { z } from 'zod';
import { platforms } from '../connectors/networks.js';

const platform = z.enum(platforms);
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
  /** Lets replies go to a loopback, link-local or private address (a bridge on the same host or network); refused otherwise. */
  allowPrivateCallback: z.boolean().default(false),
});

const slackUser = z.string().regex(/^[UWS][A-Z0-9]+$/, 'expected a Slack user id (U…) or user group id (S…)');

/**
 * Who may do what from Slack. Each role also holds the powers of the roles below it (an admin is
 * a lead and an agent). A list left empty falls back to what Slack says, never to everyone: agents
 * are the members of the inbox channels, leads and admins the workspace's admins and owners.
 */
const roles = z
  .strictObject({
    /** Reply to customers, assign, resolve, reopen, mark spam, reclassify, escalate; see customer text in App Home. */
    agents: z.array(slackUser).default([]),
    /** Declare incidents, post updates, resolve them, broadcast or keep an update from broadcast. */
    leads: z.array(slackUser).default([]),
    /** Read the audit log (`/carebot audit`). */
    admins: z.array(slackUser).default([]),
  })
  .default({ agents: [], leads: [], admins: [] });

const cannedReply = z.strictObject({
  name: z.string().min(1).max(75),
  /** `{{customer}}` becomes the customer's handle, `{{agent}}` the agent's name. */
  text: z.string().min(1),
});

/** The Slack inbox: what agents see and may do. */
const slackSchema = z
  .strictObject({
    /** Channels whose card threads never reach customers: alerts only, no two-way replies. */
    alertsOnly: z.array(channelId).default([]),
    /** A user group mentioned on every P1 card (`S0123…`). */
    p1Mention: z
      .string()
      .regex(/^S[A-Z0-9]+$/, 'expected a Slack user group id such as S0123456789')
      .optional(),
    /** Where the Escalate button sends a card when the agent picks no other channel. */
    escalationChannel: channelId.optional(),
    /** First-response targets in minutes per priority; a priority left out has none. */
    sla: z.partialRecord(priority, z.number().positive()).default({ P1: 30, P2: 120, P3: 480 }),
    /** How long before the deadline the thread gets a reminder, as a share of the target. */
    slaRemindAt: z.number().gt(0).lt(1).default(0.75),
    cannedReplies: z.array(cannedReply).default([]),
    /**
     * A customer who writes again within this many hours of their conversation being resolved
     * reopens its card; later, they get a new card that links the earlier one.
     */
    reopenWithinHours: z.number().min(0).max(8760).default(168),
    roles,
    /** Replaced by `roles`: named here only to say so. */
    permissions: z
      .unknown()
      .optional()
      .refine((v) => v === undefined, 'was replaced by slack.roles (agents, leads, admins): reply → agents, broadcast → leads'),
  })
  .default({
    alertsOnly: [],
    sla: { P1: 30, P2: 120, P3: 480 },
    slaRemindAt: 0.75,
    cannedReplies: [],
    reopenWithinHours: 168,
    roles: { agents: [], leads: [], admins: [] },
  });

const discordId = z.string().regex(/^\d{17,20}$/, 'expected a Discord id (a snowflake such as 1100000000000000001)');

/** Which Discord messages count as mentions beyond @mentions and DMs, and where broadcasts go. */
const discordSchema = z
  .strictObject({
    /** Every message in these channels (and their threads) is a mention; needs the MessageContent intent. */
    supportChannels: z.array(discordId).default([]),
    /** An announcement channel for incident updates, crossposted to the servers that follow it. */
    announcementChannel: discordId.optional(),
    /** Whether a reply pings the customer it answers. */
    pingOnReply: z.boolean().default(false),
  })
  .default({ supportChannels: [], pingOnReply: false });

const twitterSchema = z
  .strictObject({
    /**
     * Also poll X's recent search for tweets that name the brand without an @: this query
     * (X search syntax), or one built from `brand.keywords` when it is `true`.
     */
    search: z.union([z.boolean(), z.string().min(1).max(512)]).default(false),
  })
  .default({ search: false });

/** When a surge of negative mentions about one thing counts as a possible outage. */
const spikesSchema = z
  .strictObject({
    /** Where the alert card goes; SLACK_INBOX_CHANNEL when unset. */
    alertChannel: channelId.optional(),
    windowMinutes: z.number().int().min(1).max(60).default(5),
    /** Fewest mentions in a window that can be a spike (before an hour of history: coldMinCount). */
    minCount: z.number().int().min(2).default(10),
    coldMinCount: z.number().int().min(2).default(25),
    /** How many times the usual count a window must hold. */
    minRatio: z.number().min(1).default(3),
    /** A spike with no anomalous window for this long is over. */
    closeAfterMinutes: z.number().min(1).default(15),
    /** Words that never name a spike (the brand's own names are added to these). */
    ignore: z.array(z.string().min(1)).default([]),
  })
  .default({ windowMinutes: 5, minCount: 10, coldMinCount: 25, minRatio: 3, closeAfterMinutes: 15, ignore: [] });

const ACK_TEXT = 'Hi {{customer}}, we know about this ({{title}}) and are working on it. Follow updates here: {{status_url}}';
const FOLLOW_UP_TEXT = 'Hi {{customer}}, the issue you reported ({{title}}) is fixed. Thanks for your patience! {{status_url}}';
const REPLIES_PER_MINUTE = { twitter: 10, discord: 30, webhook: 60 };

/** Incidents declared from Slack: where their threads live, where updates go, what customers hear. */
const incidentsSchema = z
  .strictObject({
    /** The channel of incident cards, their threads and updates; SLACK_STATUS_CHANNEL, else SLACK_INBOX_CHANNEL. */
    statusChannel: channelId.optional(),
    /** Networks public updates are broadcast to; every connected network that can broadcast when unset. */
    networks: z.array(platform).optional(),
    /** Whether each linked customer gets one acknowledgement reply while the incident is open. */
    acknowledge: z.boolean().default(false),
    /** Placeholders: {{customer}} (their handle), {{title}}, {{status_url}}. */
    ackText: z.string().min(1).default(ACK_TEXT),
    followUpText: z.string().min(1).default(FOLLOW_UP_TEXT),
    /** Where the outside reaches carebot's HTTP server (https://care.example.com): {{status_url}} is this + `/status`. */
    publicUrl: z.url().optional(),
    /** Acknowledgements and follow-ups per minute per network (X allows about 200 posts per 15 min). */
    repliesPerMinute: z.partialRecord(platform, z.number().positive()).default(REPLIES_PER_MINUTE),
  })
  .default({
    acknowledge: false,
    ackText: ACK_TEXT,
    followUpText: FOLLOW_UP_TEXT,
    repliesPerMinute: REPLIES_PER_MINUTE,
  });

/** The optional YAML file (CAREBOT_CONFIG): what a support team tunes without touching code. */
export const fileSchema = z
  .strictObject({
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
    slack: slackSchema,
    spikes: spikesSchema,
    discord: discordSchema,
    twitter: twitterSchema,
    incidents: incidentsSchema,
  })
  .refine((f) => f.twitter.search !== true || f.brand.keywords.length > 0, {
    path: ['twitter', 'search'],
    message: 'true needs brand.keywords to search for (or give an X search query instead)',
  });

export type FileConfig = z.infer<typeof fileSchema>;
export type Route = z.infer<typeof routeSchema>;
export type SlackSettings = FileConfig['slack'];
export type DiscordSettings = FileConfig['discord'];
export type IncidentSettings = FileConfig['incidents'];
