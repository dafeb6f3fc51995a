/**
 * The `carebot` command (bin/carebot.js runs the build of this file). docs/cli.md documents
 * every command, its options and the exit codes. Each command has its own help
 * (`carebot help triage`, `carebot triage --help`); every failure is one line on stderr that
 * names the cause and the value (src/app/commands/errors.ts), never a stack.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig, type Config } from '../config/index.js';
import type { Role } from './app/boot.js';
import { describeFailure, exitCodes, printable, UsageError, type FailureContext } from './app/commands/errors.js';
import { openDatabase } from './db/open.js';
import { createLogger, secretsOf } from './shared/log.js';
import { packageRoot } from './shared/paths.js';

type Options = NonNullable<ParseArgsConfig['options']>;
type Values = Record<string, string | boolean | undefined>;

interface Command {
  /** `carebot <name> [options]`, as the help shows it. */
  usage: string;
  /** One line for the list of commands. */
  summary: string;
  /** What the command does, for its own help. */
  about: string;
  options: Options;
  /** Each option as the help lists it: the flag with its value, and what it does. */
  optionHelp: [flag: string, help: string][];
  run(values: Values, ctx: FailureContext): Promise<number>;
}

const roles = ['all', 'http', 'workers'] as const;

/** Loads the configuration; a failure from here on may show the configured secrets' places, never their values. */
function config(ctx: FailureContext): Config {
  const loaded = loadConfig();
  ctx.secrets = secretsOf(loaded);
  return loaded;
}

const commands: Record<string, Command> = {
  start: {
    usage: 'carebot start [--role all|http|workers]',
    summary: 'run the service (every role in one process unless --role says otherwise)',
    about: `Runs carebot until SIGTERM or SIGINT: it then finishes the jobs in hand and closes its
connections; a second signal stops it at once (exit 130). It migrates the database first. Every
setting comes from the environment and .env (docs/configuration.md).`,
    options: { role: { type: 'string', default: 'all' } },
    optionHelp: [
      [
        '--role ROLE',
        `all (default): everything in one process; http: the HTTP server and Slack, no workers;
workers: the queue workers, no public routes. http and workers need DATABASE_URL`,
      ],
    ],
    async run(values, ctx) {
      const role = String(values.role);
      if (!(roles as readonly string[]).includes(role)) throw new UsageError(`--role '${role}': expected ${roles.join(', ')}`);
      const cfg = config(ctx);
      ctx.database = { url: cfg.DATABASE_URL, dataDir: cfg.DATA_DIR };
      ctx.listen = { host: cfg.HOST, port: cfg.PORT };
      const log = createLogger(cfg);
      // Each command loads only what it runs: a worker process does not carry the doctor's clients.
      const { start } = await import('./app/boot.js');
      const running = await start(cfg, log, role as Role);
      await new Promise<void>((resolve) => {
        const shutdown = (signal: string) => {
          log.info({ signal }, 'finishing active jobs, then stopping');
          process.once(signal, () => process.exit(exitCodes.interrupted)); // a second signal means now
          running.stop().then(resolve, (err) => {
            log.error({ err }, 'unclean stop');
            resolve();
          });
        };
        process.once('SIGTERM', () => shutdown('SIGTERM'));
        process.once('SIGINT', () => shutdown('SIGINT'));
      });
      return exitCodes.ok;
    },
  },
  migrate: {
    usage: 'carebot migrate',
    summary: 'apply the database migrations',
    about: `Applies the database migrations to DATABASE_URL, or to embedded PGlite under DATA_DIR when
DATABASE_URL is unset. \`carebot start\` does it too, one process at a time.`,
    options: {},
    optionHelp: [],
    async run(_values, ctx) {
      const cfg = config(ctx);
      ctx.database = { url: cfg.DATABASE_URL, dataDir: cfg.DATA_DIR };
      const database = await openDatabase(ctx.database);
      try {
        await database.migrate();
      } finally {
        await database.close();
      }
      console.log(`migrated ${database.kind === 'postgres' ? 'PostgreSQL' : `embedded PGlite at ${cfg.DATA_DIR}`}`);
      return exitCodes.ok;
    },
  },
  doctor: {
    usage: 'carebot doctor',
    summary: 'check the configuration, Redis, the database and each network’s credentials',
    about: `Checks the configuration, Redis, the database, Slack and each network's credentials, one line
each, without changing anything: ✓ works, ! works but worth knowing, – optional and off, ✗ needed
and missing or wrong (with the cause). Exits 0 when everything needed works, 1 otherwise.`,
    options: {},
    optionHelp: [],
    async run() {
      const { runDoctor } = await import('./app/doctor.js');
      return runDoctor(loadConfig);
    },
  },
  triage: {
    usage: 'carebot triage [--input FILE] [--model FILE]',
    summary: 'JSON Lines in, triage results out',
    about: `Reads JSON Lines ({"id","text"}, optionally "platform", "authorFollowers", "authorId",
"authorHandle", "recentContacts") and writes one JSON line per line read, in the same order: the
triage, or {"id","error"} for a line that cannot be triaged (the others go on). Needs no service,
Redis or database (docs/triage.md).`,
    options: { input: { type: 'string' }, model: { type: 'string' } },
    optionHelp: [
      ['--input FILE', 'read FILE instead of the standard input'],
      ['--model FILE', 'judge with a model written by `carebot train`, on top of the rules'],
    ],
    async run(values) {
      const { runTriageCommand } = await import('./app/commands/triage.js');
      await runTriageCommand({ input: str(values.input), model: str(values.model), stdin: process.stdin, stdout: process.stdout });
      return exitCodes.ok;
    },
  },
  train: {
    usage: 'carebot train --model FILE [--input FILE] [--from-db]',
    summary: 'learn a triage model from labelled JSON Lines and/or the agents’ corrections',
    about: `Learns a triage model and writes it to --model FILE, from labelled JSON Lines ("text" and any
of "sentiment", "language", "complaint", "needsResponse", "category"), from the corrections the
agents made in Slack, or both. Rows that cannot be used are skipped and listed (docs/triage.md).`,
    options: { model: { type: 'string' }, input: { type: 'string' }, 'from-db': { type: 'boolean' } },
    optionHelp: [
      ['--model FILE', 'where to write the model (required); a running carebot with TRIAGE_MODEL=FILE picks it up'],
      ['--input FILE', 'labelled JSON Lines to learn from'],
      ['--from-db', "learn from the agents' corrections in the database (DATABASE_URL, else DATA_DIR)"],
    ],
    async run(values, ctx) {
      if (!values.model || !(values.input || values['from-db'])) {
        throw new UsageError('--model FILE and at least one of --input FILE and --from-db are required');
      }
      if (values['from-db']) {
        const cfg = config(ctx);
        ctx.database = { url: cfg.DATABASE_URL, dataDir: cfg.DATA_DIR };
      }
      const { runTrainCommand } = await import('./app/commands/train.js');
      await runTrainCommand({ input: str(values.input), database: ctx.database, model: String(values.model), stdout: process.stdout });
      return exitCodes.ok;
    },
  },
  audit: {
    usage: 'carebot audit [--since 7d|DATE] [--until DATE] [--actor ID] [--action NAME]',
    summary: 'the audit log as JSON Lines, oldest first',
    about: `Writes the audit log as JSON Lines, oldest first, for an admin's records or a SIEM; the reading
is itself logged (action audit.read, actor cli). Reads DATABASE_URL, else DATA_DIR.`,
    options: { since: { type: 'string' }, until: { type: 'string' }, actor: { type: 'string' }, action: { type: 'string' } },
    optionHelp: [
      ['--since WHEN', 'from when: 30m, 24h, 7d (default) or an ISO date such as 2026-12-01'],
      ['--until WHEN', 'until when, in the same forms (default: now)'],
      ['--actor ID', 'only what this Slack user (U…), `system` or `cli` did'],
      ['--action NAME', 'only this action, such as reply.sent'],
    ],
    async run(values, ctx) {
      const cfg = config(ctx);
      ctx.database = { url: cfg.DATABASE_URL, dataDir: cfg.DATA_DIR };
      const { runAuditCommand } = await import('./app/commands/audit.js');
      await runAuditCommand({
        since: str(values.since),
        until: str(values.until),
        actor: str(values.actor),
        action: str(values.action),
        database: ctx.database,
        stdout: process.stdout,
      });
      return exitCodes.ok;
    },
  },
  forget: {
    usage: 'carebot forget --platform P --author ID [--dry-run]',
    summary: "erase one customer's data on request (docs/data.md)",
    about: `Erases one customer's messages, the text of the replies to them, the agents' corrections of them
and the conversations they started; the rows stay as blank dedupe records, so a re-delivered message
is not carded again. Audited (action forget, actor cli) with a hash of the id, never the id. Lists
the Slack messages carebot posted about them, for an admin to delete in Slack. Reads DATABASE_URL,
else DATA_DIR.`,
    options: { platform: { type: 'string' }, author: { type: 'string' }, 'dry-run': { type: 'boolean' } },
    optionHelp: [
      ['--platform P', 'the network: twitter, discord or webhook (required)'],
      ['--author ID', "the customer's id on that network, not their @handle (required)"],
      ['--dry-run', 'count what would be erased; change nothing'],
    ],
    async run(values, ctx) {
      const cfg = config(ctx);
      ctx.database = { url: cfg.DATABASE_URL, dataDir: cfg.DATA_DIR };
      const { runForgetCommand } = await import('./app/commands/forget.js');
      return runForgetCommand({
        platform: str(values.platform),
        author: str(values.author),
        dryRun: values['dry-run'] === true,
        config: cfg,
        stdout: process.stdout,
      });
    },
  },
};

const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);

const exitCodeHelp = `exit codes: 0 done, 1 failed (one line on stderr says why), 2 wrong command line;
docs/cli.md has the details`;

/** Lines of `[left, right]` with the right column aligned, continued lines indented under it. */
function table(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([left]) => left.length)) + 3;
  return rows.map(([left, right]) => `  ${left.padEnd(width)}${right.split('\n').join(`\n  ${' '.repeat(width)}`)}`).join('\n');
}

function generalHelp(): string {
  return `usage: carebot <command> [options]

commands:
${table([...Object.entries(commands).map(([name, c]): [string, string] => [name, c.summary]), ['help [COMMAND]', 'this help, or a command’s']])}

options:
${table([
  ['-h, --help', 'this help; `carebot <command> --help` gives a command’s'],
  ['-v, --version', 'carebot’s version'],
])}

${exitCodeHelp}`;
}

function commandHelp(c: Command): string {
  const options = table([...c.optionHelp, ['-h, --help', 'this help']]);
  return `usage: ${c.usage}\n\n${c.about}\n\noptions:\n${options}\n\n${exitCodeHelp}`;
}

/** carebot's semantic version, from its package.json. */
function version(): string {
  return (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

const isHelp = (arg: string | undefined) => arg === '--help' || arg === '-h';

/** parseArgs' complaint in one line of our words. */
function parseError(err: Error & { code?: string }): string {
  const option = /'(-[^' ]*)/.exec(err.message)?.[1];
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument '${/'([^']*)'/.exec(err.message)?.[1]}'`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (/does not take an argument/.test(err.message)) return `${option} takes no value`;
      if (/ambiguous/.test(err.message)) return `${option} needs a value (one that starts with - goes as ${option}=VALUE)`;
      return `${option} needs a value`;
    default:
      return err.message.split('\n')[0] ?? err.message;
  }
}

async function main(argv: string[], ctx: FailureContext): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    console.error(generalHelp());
    return exitCodes.usage;
  }
  if (isHelp(first)) {
    console.log(generalHelp());
    return exitCodes.ok;
  }
  if (first === '--version' || first === '-v') {
    console.log(`carebot ${version()}`);
    return exitCodes.ok;
  }
  if (first === 'help') {
    const [name, ...extra] = rest;
    if (extra.length) throw new UsageError(`help: unexpected argument '${extra[0]}' (carebot help COMMAND)`);
    if (name !== undefined && !Object.hasOwn(commands, name)) {
      throw new UsageError(`help: unknown command '${name}' (carebot --help lists the commands)`);
    }
    console.log(name === undefined || isHelp(name) ? generalHelp() : commandHelp(commands[name] as Command));
    return exitCodes.ok;
  }
  if (first.startsWith('-')) throw new UsageError(`unknown option ${first} (carebot --help lists the commands and options)`);
  const command = Object.hasOwn(commands, first) ? commands[first] : undefined;
  if (!command) throw new UsageError(`unknown command '${first}' (carebot --help lists the commands)`);
  ctx.command = first;

  const beforeDashes = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (beforeDashes.some(isHelp)) {
    console.log(commandHelp(command));
    return exitCodes.ok;
  }
  let values: Values;
  try {
    values = parseArgs({ args: rest, options: command.options, strict: true, allowPositionals: false }).values as Values;
  } catch (err) {
    const e = err as Error & { code?: string };
    if (!e.code?.startsWith('ERR_PARSE_ARGS')) throw err;
    throw new UsageError(`${parseError(e)} (carebot ${first} --help lists its options)`);
  }
  // A .env in the working directory fills in what the environment does not already set.
  if (existsSync('.env')) process.loadEnvFile('.env');
  return command.run(values, ctx);
}

const ctx: FailureContext = {};

// `carebot triage | head` closes the pipe early: that is the reader's choice, not a failure.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(exitCodes.ok);
  fail(err);
});

function fail(err: unknown): never {
  const { line, code } = describeFailure(err, ctx);
  console.error(`carebot: ${printable(line, ctx.secrets)}`);
  if (process.env.CAREBOT_STACK === '1') console.error(err);
  process.exit(code);
}

main(process.argv.slice(2), ctx).then((code) => process.exit(code), fail);
