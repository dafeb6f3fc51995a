// The whole sandbox in one call: the fakes, the real carebot pointed at them, and the page.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { SLACK_EVENTS_PATH } from '../src/slack/app.js';
import { SIGNING_SECRET, startCarebot, X_CONSUMER_SECRET } from './carebot.js';
import { customers } from './customers.js';
import { liveFeed } from './live.js';
import { freePort } from './redis.js';
import { mountSandbox } from './routes.js';
import { scenario, type ScenarioOptions } from './scenario.js';
import { slackPane } from './slack-pane.js';
import { snapshot } from './state.js';
import { startWorld } from './world.js';

export interface SandboxOptions {
  redisUrl: string;
  /** 0 or unset: a free port. */
  port?: number;
  logLevel?: string;
  /** Milliseconds between the scenario's posts. */
  scenarioGapMs?: number;
  /** What the scenario does at each moment worth looking at (tests take a screenshot). */
  scenarioBeat?: ScenarioOptions['beat'];
  pglite?: PGlite;
}

export async function startSandbox(opts: SandboxOptions) {
  const port = opts.port || (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'carebot-demo-'));
  const world = await startWorld();
  const pane = slackPane(world.slack, url + SLACK_EVENTS_PATH, SIGNING_SECRET);
  const people = customers(world, url, X_CONSUMER_SECRET);
  const story = scenario(world, pane, people, { gapMs: opts.scenarioGapMs, ...(opts.scenarioBeat ? { beat: opts.scenarioBeat } : {}) });
  const feed = liveFeed(() => snapshot(world, pane, people, story));
  const queuePrefix = `demo-${randomBytes(4).toString('hex')}`;
  const { running } = await startCarebot(
    world,
    {
      redisUrl: opts.redisUrl,
      dir,
      port,
      queuePrefix,
      ...(opts.logLevel ? { logLevel: opts.logLevel } : {}),
      ...(opts.pglite ? { pglite: opts.pglite } : {}),
    },
    [mountSandbox({ pane, people, scenario: story, feed })],
  );

  let stopping: Promise<void> | undefined;
  return {
    url: `${url}/sandbox/`,
    world,
    pane,
    people,
    scenario: story,
    /** Stops carebot, the fakes, and forgets the sandbox's queues and data. */
    stop() {
      stopping ??= (async () => {
        feed.close();
        const redis = running.services.redis;
        const keys = redis.status === 'ready' ? await redis.keys(`${queuePrefix}:*`) : [];
        if (keys.length) await redis.del(...keys);
        await running.stop();
        await world.close();
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

export type Sandbox = Awaited<ReturnType<typeof startSandbox>>;
