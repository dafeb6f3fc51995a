import { resolve } from 'node:path';
import type { Config } from '../../config/index.js';
import { registry } from '../../connectors/registry.js';
import { twitterWebhookOff } from '../../connectors/twitter/webhook.js';
import type { ConnectorStore } from '../connector.js';
import { platforms, type Platform } from '../mention.js';
import { doctorDatabase, StoreUnavailable } from './doctor/database.js';
import { checkRedis } from './doctor/redis.js';
import { bounded, CHECK_TIMEOUT_MS, cause, format, line, type Line } from './doctor/report.js';
import { checkSlack } from './doctor/slack.js';

/**
 * `carebot doctor`: is this configuration ready to run? One line per thing checked, each naming
 * what it checked (host:port, API base, which token; never a password) and, when it fails, why:
 *
 *   ✓  works
 *   !  works, but worth knowing (pending migrations, an in-memory database, a check not tried)
 *   –  optional and off (a network without credentials)
 *   ✗  needed and missing or wrong
 *
 * Needed: a valid configuration, Redis, the database (PostgreSQL reachable; embedded PGlite's
 * DATA_DIR present or creatable), Slack (bot token answering auth.test, Socket Mode's app token or
 * HTTP's signing secret, an inbox channel the bot is in) and at least one network on.
 *
 * Exit codes: 0 when everything needed works (warnings allowed), 1 when anything needed is
 * missing or wrong (a configuration that does not load included).
 *
 * It changes nothing: no migration, no directory created (embedded PGlite is not opened: only one
 * process may hold it), no message sent. Every check is bounded (3 s on the network) and the
 * independent ones run side by side, so the doctor answers in a few seconds even when nothing is
 * reachable.
 */
export const DOCTOR_EXIT = { ok: 0, failed: 1 } as const;

/** A check that failed to finish inside its own bounds is cut off here, whatever it was waiting on. */
const LAST_RESORT_MS = CHECK_TIMEOUT_MS * 2;

/** What carebot opens to the network, and how each part is guarded (docs/http.md). */
export function httpEdge(config: Config): string {
  const xOff = twitterWebhookOff(config);
  if (config.TWITTER_WEBHOOKS === 'on' && xOff) throw new Error(xOff);
  return [
    `listening on ${config.HOST}:${config.PORT}`,
    config.METRICS_TOKEN ? '/metrics behind METRICS_TOKEN' : '/metrics open (set METRICS_TOKEN to require a bearer token)',
    config.ADMIN_PASSWORD
      ? `Bull Board ${config.ADMIN_WRITE === 'on' ? 'read-write' : 'read-only'} behind ADMIN_PASSWORD`
      : 'Bull Board off',
    xOff ? 'X webhooks off' : 'X webhooks on at /webhooks/twitter (signed with TWITTER_API_SECRET)',
  ].join('; ');
}

function httpLine(config: Config): Line {
  try {
    return line('ok', 'http', undefined, httpEdge(config));
  } catch (err) {
    return line('fail', 'http', undefined, (err as Error).message);
  }
}

/** True when `err` or one of its causes is the doctor's own "database not opened" refusal. */
function notTried(err: unknown): boolean {
  for (let e = err, i = 0; e instanceof Error && i < 5; e = e.cause, i++) if (e instanceof StoreUnavailable) return true;
  return false;
}

/**
 * A network's line. Its check answers `<what it asked with>: <what works>` or throws the same with
 * the cause; a network that is off gets a plain "–" line, and one without credentials to try is on
 * as soon as it is configured.
 */
async function networkLine(platform: Platform, config: Config, store: ConnectorStore): Promise<Line> {
  const network = registry[platform];
  const on = network.isOn(config);
  if (!network.check) return line(on ? 'ok' : 'off', platform, undefined, on ? 'on (no credentials to try)' : 'off');
  try {
    const said = await bounded(network.check(config, store), LAST_RESORT_MS);
    return on ? { status: 'ok' as const, text: `${platform} ${said}` } : line('off', platform, undefined, said);
  } catch (err) {
    // A check names what it asked (its API base first) in its error; anything else gets the cause alone.
    const message = err instanceof Error ? err.message : '';
    const text = /^\w+:\/\/\S+/.test(message) ? `${platform} ${message}` : `${platform}: ${cause(err)}`;
    return { status: notTried(err) ? ('warn' as const) : ('fail' as const), text };
  }
}

/**
 * A check that throws instead of answering (a bug) fails its own line: the lines are awaited in
 * order, so a rejection left waiting would otherwise end the process.
 */
const settle = <T extends Line | Line[]>(name: string, p: Promise<T>): Promise<T | Line> =>
  p.catch((err: unknown) => line('fail', name, undefined, cause(err)));

/** Runs every check side by side and prints the lines in a fixed order as they are ready. */
export async function runDoctor(load: () => Config): Promise<number> {
  const print = (text: string) => console.log(text);
  let config: Config;
  try {
    config = load();
  } catch (err) {
    print(format(line('fail', 'config', undefined, (err as Error).message)));
    return DOCTOR_EXIT.failed;
  }
  const database = doctorDatabase(config);
  const onNetworks = platforms.filter((p) => registry[p].isOn(config));
  const checks: Promise<Line | Line[]>[] = [
    Promise.resolve(
      config.CAREBOT_CONFIG
        ? line('ok', 'config', `env + ${resolve(config.CAREBOT_CONFIG)}`, 'loaded')
        : line('ok', 'config', 'env', 'loaded (no CAREBOT_CONFIG file)'),
    ),
    Promise.resolve(httpLine(config)),
    settle('redis', checkRedis(config)),
    settle('database', database.check()),
    settle('slack', checkSlack(config)),
    ...platforms.map((p) => networkLine(p, config, database.store)),
    Promise.resolve(
      onNetworks.length
        ? line('ok', 'networks', undefined, `receiving from ${onNetworks.join(', ')}`)
        : line(
            'fail',
            'networks',
            undefined,
            `none on, so nothing to receive: set the credentials of at least one (${platforms.join(', ')}; docs/configuration.md)`,
          ),
    ),
  ];
  let failed = false;
  try {
    for (const check of checks) {
      for (const l of [await check].flat()) {
        if (l.status === 'fail') failed = true;
        print(format(l));
      }
    }
  } finally {
    await database.close();
  }
  return failed ? DOCTOR_EXIT.failed : DOCTOR_EXIT.ok;
}
