// `npm run demo`: carebot with loopback Slack, X and Discord, its embedded database and Redis,
// and a page that shows both sides. Prints one URL; Ctrl-C stops everything.
import { RedisMissing, type SandboxRedis, sandboxRedis } from './redis.js';
import { startSandbox } from './start.js';

async function main() {
  let redis: SandboxRedis;
  try {
    redis = await sandboxRedis();
  } catch (err) {
    if (!(err instanceof RedisMissing)) throw err;
    console.error(`carebot demo: ${err.message}`);
    process.exit(1);
  }
  const sandbox = await startSandbox({
    redisUrl: redis.url,
    port: Number(process.env.PORT) || 0,
    logLevel: process.env.LOG_LEVEL ?? 'warn',
  }).catch(async (err) => {
    await redis.stop();
    throw err;
  });
  console.log(`carebot demo: open ${sandbox.url}  (Ctrl-C stops it)`);

  let stopping = false;
  const stop = async () => {
    if (stopping) process.exit(1); // a second Ctrl-C: out at once
    stopping = true;
    await sandbox.stop();
    await redis.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((err: Error) => {
  console.error(`carebot demo: ${err.stack ?? err.message}`);
  process.exit(1);
});
