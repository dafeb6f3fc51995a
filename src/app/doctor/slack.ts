import { LogLevel, WebClient } from '@slack/web-api';
import type { Config } from '../../../config/index.js';
import { bounded, CLIENT_TIMEOUT_MS, cause, line, maskToken, type Line } from './report.js';

const SLACK_API = 'https://slack.com/api/';
/** How many inbox channels are asked about; more would only make the doctor slow. */
const MAX_CHANNELS = 10;

interface SlackErrorLike {
  code?: string;
  data?: { error?: string; needed?: string };
  statusCode?: number;
  statusMessage?: string;
}

/** Slack's own word for a refusal (`invalid_auth`, `missing_scope: channels:read`), else the network cause. */
function slackCause(err: unknown): string {
  const e = err as SlackErrorLike;
  if (e?.code === 'slack_webapi_platform_error' && e.data?.error)
    return e.data.needed ? `${e.data.error} (needs ${e.data.needed})` : e.data.error;
  if (e?.code === 'slack_webapi_http_error' && e.statusCode) return `HTTP ${e.statusCode}${e.statusMessage ? ` ${e.statusMessage}` : ''}`;
  return cause(err);
}

const client = (config: Config, token: string) =>
  new WebClient(token, {
    slackApiUrl: config.SLACK_API_URL ?? SLACK_API,
    retryConfig: { retries: 0 },
    timeout: CLIENT_TIMEOUT_MS,
    rejectRateLimitedCalls: true,
    // The line says what went wrong; the client's own warnings would say it again on stderr.
    logLevel: LogLevel.ERROR,
  });

/**
 * Slack is carebot's only interface, so each of these is needed: the bot token (answering
 * auth.test), a way for Slack to reach carebot (Socket Mode's app-level token, proven by asking for
 * a connection URL, or HTTP with the signing secret), and a channel the cards go to that the bot
 * is in. Three lines, each naming the API and token it tried.
 */
export async function checkSlack(config: Config): Promise<Line[]> {
  const api = config.SLACK_API_URL ?? SLACK_API;
  const bot = config.SLACK_BOT_TOKEN;
  const botTarget = bot && `${api} (bot token ${maskToken(bot)})`;
  const botLine = bot
    ? bounded(client(config, bot).auth.test()).then(
        (res) => line('ok', 'slack', botTarget, `bot ${res.user} (${res.user_id}) in ${res.team} (${res.team_id})`),
        (err: unknown) => line('fail', 'slack', botTarget, slackCause(err)),
      )
    : Promise.resolve(
        line(
          'fail',
          'slack',
          undefined,
          "SLACK_BOT_TOKEN not set: Slack is carebot's only interface (create the app from config/slack-manifest.yaml, docs/slack.md)",
        ),
      );
  const [botResult, inbox, channels] = await Promise.all([botLine, inboxLine(config, api), channelLines(config)]);
  // A token Slack refuses fails every channel the same way: one cause, said once.
  const asked = botResult.status === 'fail' && bot ? channels.map(notAsked) : channels;
  return [botResult, inbox, ...asked];
}

const notAsked = (l: Line): Line =>
  l.status === 'fail' && l.text.startsWith('slack channel ')
    ? { status: 'warn', text: `${l.text.split(': ')[0]}: not checked, the bot token failed` }
    : l;

async function inboxLine(config: Config, api: string): Promise<Line> {
  if (config.SLACK_APP_TOKEN) {
    const target = `${api} (app token ${maskToken(config.SLACK_APP_TOKEN)})`;
    try {
      // Asking for a connection URL proves the app-level token without opening the socket.
      await bounded(client(config, config.SLACK_APP_TOKEN).apps.connections.open());
      return line('ok', 'slack inbox', target, 'Socket Mode (app-level token accepted)');
    } catch (err) {
      return line('fail', 'slack inbox', target, `Socket Mode: ${slackCause(err)}`);
    }
  }
  if (config.SLACK_SIGNING_SECRET)
    return line('ok', 'slack inbox', `/slack/events on port ${config.PORT}`, 'HTTP, requests checked with SLACK_SIGNING_SECRET');
  return line(
    'fail',
    'slack inbox',
    undefined,
    'set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP): without one, nothing agents do in Slack reaches carebot',
  );
}

/** Where the cards go: SLACK_INBOX_CHANNEL and each route's channel, each one the bot must be in (no chat:write.public). */
async function channelLines(config: Config): Promise<Line[]> {
  const ids = [
    ...new Set([...(config.SLACK_INBOX_CHANNEL ? [config.SLACK_INBOX_CHANNEL] : []), ...config.file.routes.map((r) => r.channel)]),
  ];
  if (!ids.length)
    return [
      line('fail', 'slack channels', undefined, 'set SLACK_INBOX_CHANNEL (or routes in CAREBOT_CONFIG): mentions have no channel to go to'),
    ];
  const bot = config.SLACK_BOT_TOKEN;
  if (!bot) return [line('warn', 'slack channels', ids.join(', '), 'not checked without SLACK_BOT_TOKEN')];
  const web = client(config, bot);
  const shown = ids.slice(0, MAX_CHANNELS);
  const lines = await Promise.all(
    shown.map(async (id) => {
      try {
        const { channel } = await bounded(web.conversations.info({ channel: id }));
        const name = channel?.name ? `#${channel.name}` : id;
        if (channel?.is_archived) return line('fail', 'slack channel', id, `${name} is archived`);
        if (channel && channel.is_member === false)
          return line('fail', 'slack channel', id, `the bot is not in ${name}: /invite it there, or cards cannot be posted`);
        return line('ok', 'slack channel', id, `${name}, the bot is a member`);
      } catch (err) {
        return line('fail', 'slack channel', id, slackCause(err));
      }
    }),
  );
  if (ids.length > shown.length) lines.push(line('warn', 'slack channels', undefined, `${ids.length - shown.length} more not checked`));
  return lines;
}
