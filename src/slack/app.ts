import { App, ExpressReceiver, SocketModeReceiver, type Receiver } from '@slack/bolt';
import type { Ctx, SlackCtx } from '../context.js';
import type { Mount } from '../shared/mount.js';
import { onAppHome } from './listeners/app-home.js';
import { boltLogger } from './api/bolt-logger.js';
import { onCardActions } from './listeners/card-actions.js';
import { onCommand } from './listeners/command.js';
import { auditCommand } from './listeners/audit-command.js';
import { onEscalate } from './listeners/escalate-modal.js';
import { incidentCommand, onIncidentActions } from './listeners/incident-actions.js';
import { onThreadMessage } from './listeners/on-thread-message.js';
import { onUnknownActions } from './listeners/unknown-actions.js';
import { onReclassify } from './listeners/reclassify-modal.js';
import { onReplyModal } from './listeners/reply-modal.js';
import { onRetryReply } from './listeners/retry-reply.js';
import { onSendAnyway } from './listeners/send-anyway.js';
import { onSendToCustomer } from './listeners/send-to-customer.js';

/** Where Slack delivers events, interactions and slash commands in HTTP mode. */
export const SLACK_EVENTS_PATH = '/slack/events';

export interface SlackApp {
  app: App;
  mode: 'socket' | 'http';
  /** In HTTP mode, `/slack/events` on carebot's own HTTP server. */
  mount?: Mount;
  /** Connects to Slack in Socket Mode; nothing to do in HTTP mode. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The Slack side of the inbox: a Bolt app that hears agents (thread replies, buttons, modals,
 * App Home, `/carebot`) and acts on the database and the queues. With SLACK_APP_TOKEN it holds
 * a Socket Mode connection (no public URL needed); otherwise Slack POSTs to /slack/events and
 * Bolt checks every request's signature with SLACK_SIGNING_SECRET: a forged or stale one gets
 * 401 before any listener runs. Returns undefined, saying why, when Slack cannot reach carebot.
 */
export function createSlackApp(s: Ctx<'config' | 'log' | 'db' | 'queues' | 'connectors'>): SlackApp | undefined {
  const { config } = s;
  if (!config.SLACK_BOT_TOKEN) return undefined; // openServices already said why Slack is off
  const logger = boltLogger(s.log);
  // Listeners answer people: a 429 waits for Retry-After, a 5xx is retried, a few times within seconds.
  const clientOptions = { slackApiUrl: config.SLACK_API_URL, retryConfig: { retries: 3, minTimeout: 300, maxTimeout: 3000 } };

  let receiver: Receiver;
  let mount: Mount | undefined;
  if (config.SLACK_APP_TOKEN) {
    receiver = new SocketModeReceiver({ appToken: config.SLACK_APP_TOKEN, logger, installerOptions: { clientOptions } });
  } else if (config.SLACK_SIGNING_SECRET) {
    const express = new ExpressReceiver({ signingSecret: config.SLACK_SIGNING_SECRET, endpoints: SLACK_EVENTS_PATH, logger });
    receiver = express;
    mount = (app) => app.use(express.router);
  } else {
    s.log.warn(
      { network: 'slack' },
      'slack: agents cannot act (set SLACK_APP_TOKEN for Socket Mode, or SLACK_SIGNING_SECRET for /slack/events); cards are still posted',
    );
    return undefined;
  }

  const app = new App({ token: config.SLACK_BOT_TOKEN, receiver, logger, clientOptions });
  // Every listener works with Bolt's client: the same token and API URL, and retries suited to people waiting.
  const inbox: SlackCtx<'config' | 'log' | 'db' | 'queues' | 'connectors'> = { ...s, slack: app.client };
  onUnknownActions(app, inbox);
  onThreadMessage(app, inbox);
  onSendAnyway(app, inbox);
  onSendToCustomer(app, inbox);
  onReplyModal(app, inbox);
  onRetryReply(app, inbox);
  onCardActions(app, inbox);
  onReclassify(app, inbox);
  onEscalate(app, inbox);
  onAppHome(app, inbox);
  onIncidentActions(app, inbox);
  onCommand(app, inbox, { incident: incidentCommand, audit: auditCommand });
  app.error(async (err) => {
    s.log.error({ err: err.message, code: err.code }, 'slack listener failed');
  });

  const socket = !!config.SLACK_APP_TOKEN;
  return {
    app,
    mode: socket ? 'socket' : 'http',
    mount,
    start: async () => {
      if (socket) await app.start();
    },
    stop: async () => {
      if (socket) await app.stop();
    },
  };
}
