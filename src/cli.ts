import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from '../config/index.js';
import type { Role } from './app/boot.js';
import { openDatabase } from './db/open.js';
import { createLogger } from './shared/log.js';

const usage = `usage: carebot <command> [options]

  start [--role all|http|workers]   run the service (default: all roles in one process)
  migrate                           apply database migrations
  doctor                            check configuration, Redis, the database and each platform token
  triage [--input FILE] [--model FILE]        JSON Lines in, triage results out
  train --model FILE [--input FILE] [--from-db]
                                    learn a triage model from labelled JSON Lines and/or the
                                    agents' corrections in the database (DATABASE_URL / DATA_DIR)
  audit [--since 7d|DATE] [--until DATE] [--actor ID] [--action NAME]
                                    the audit log as JSON Lines, oldest first`;

const roles = ['all', 'http', 'workers'] as const;

async function main(argv: string[]): Promise<number> {
  // A .env in the working directory fills in what the environment does not already set.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      role: { type: 'string', default: 'all' },
      input: { type: 'string' },
      model: { type: 'string' },
      'from-db': { type: 'boolean' },
      since: { type: 'string' },
      until: { type: 'string' },
      actor: { type: 'string' },
      action: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (!command || values.help || command === 'help') {
    console.log(usage);
    return command ? 0 : 1;
  }
  switch (command) {
    case 'start': {
      if (!(roles as readonly string[]).includes(values.role!)) throw new ConfigError(`--role: expected one of ${roles.join(', ')}`);
      const config = loadConfig();
      const log = createLogger(config);
      // Each command loads only what it runs: a worker process does not carry the doctor's clients.
      const { start } = await import('./app/boot.js');
      const running = await start(config, log, values.role as Role);
      await new Promise<void>((resolve) => {
        const shutdown = (signal: string) => {
          log.info({ signal }, 'finishing active jobs, then stopping');
          process.once(signal, () => process.exit(130)); // a second signal means now
          running.stop().then(resolve, (err) => {
            log.error({ err }, 'unclean stop');
            resolve();
          });
        };
        process.once('SIGTERM', () => shutdown('SIGTERM'));
        process.once('SIGINT', () => shutdown('SIGINT'));
      });
      return 0;
    }
    case 'migrate': {
      const config = loadConfig();
      const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
      await database.migrate();
      await database.close();
      console.log(`migrated ${database.kind === 'postgres' ? 'PostgreSQL' : `embedded PGlite at ${config.DATA_DIR}`}`);
      return 0;
    }
    case 'doctor': {
      const { runDoctor } = await import('./app/doctor.js');
      return runDoctor(loadConfig);
    }
    case 'triage': {
      const { runTriageCommand } = await import('./app/commands/triage.js');
      await runTriageCommand({ input: values.input, model: values.model, stdin: process.stdin, stdout: process.stdout });
      return 0;
    }
    case 'train': {
      if (!values.model || !(values.input || values['from-db'])) {
        throw new ConfigError('train: --model FILE and at least one of --input FILE and --from-db are required');
      }
      const database = values['from-db'] ? loadConfig() : undefined;
      const { runTrainCommand } = await import('./app/commands/train.js');
      await runTrainCommand({
        input: values.input,
        database: database && { url: database.DATABASE_URL, dataDir: database.DATA_DIR },
        model: values.model,
        stdout: process.stdout,
      });
      return 0;
    }
    case 'audit': {
      const config = loadConfig();
      const { runAuditCommand } = await import('./app/commands/audit.js');
      await runAuditCommand({ ...values, database: { url: config.DATABASE_URL, dataDir: config.DATA_DIR }, stdout: process.stdout });
      return 0;
    }
    default:
      console.error(`carebot: unknown command '${command}'\n${usage}`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error & { code?: string }) => {
    // Configuration and usage mistakes get one line; anything else is a bug worth a stack.
    if (err instanceof ConfigError || err.code?.startsWith('ERR_PARSE_ARGS')) console.error(`carebot: ${err.message}`);
    else console.error(err);
    process.exit(1);
  },
);

export type { Config };
