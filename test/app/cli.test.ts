import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { runCarebot } from '../support/child.js';

const dir = mkdtempSync(join(tmpdir(), 'carebot-cli-'));
const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `t${randomBytes(5).toString('hex')}`;

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

/**
 * What every failure must look like: the documented exit code, and exactly one line on stderr,
 * `carebot: …`, with no stack (neither there nor in whatever was logged on stdout).
 */
function oneLine(run: { code: number | null; stdout: string; stderr: string }, code: number): string {
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^carebot: \S/);
  expect(`${run.stdout}\n${run.stderr}`).not.toMatch(/^\s+at /m);
  expect(run.code).toBe(code);
  return lines[0]!;
}

/** A port nothing listens on: taken from the kernel, then given back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

describe('carebot help and version', () => {
  it('prints the usage for --help, -h and help, and exits 0', async () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const run = await runCarebot(args);
      expect(run, args.join(' ')).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toMatch(/^usage: carebot <command> \[options\]/);
      for (const command of ['start', 'migrate', 'doctor', 'triage', 'train', 'audit'])
        expect(run.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
      expect(run.stdout).toMatch(/--version/);
      expect(run.stdout).toMatch(/exit codes: 0 .*1 .*2 /);
    }
  });

  it('prints the semantic version from package.json for --version', async () => {
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    for (const flag of ['--version', '-v']) {
      const run = await runCarebot([flag]);
      expect(run).toEqual({ code: 0, stdout: `carebot ${version}\n`, stderr: '' });
    }
  });

  it('gives each command its own help: `carebot help triage` and `carebot triage --help`', async () => {
    const viaHelp = await runCarebot(['help', 'triage']);
    const viaFlag = await runCarebot(['triage', '--help']);
    const viaShort = await runCarebot(['triage', '-h'], { stdin: '{"id":1,"text":"not read"}\n' });
    for (const run of [viaHelp, viaFlag, viaShort]) {
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^usage: carebot triage \[--input FILE\] \[--model FILE\]\n/);
      expect(run.stdout).toMatch(/^ {2}--input FILE +\S/m);
      expect(run.stdout).toMatch(/^ {2}--model FILE +\S/m);
      // Its own options only: not another command's, and it triages nothing.
      expect(run.stdout).not.toMatch(/--role|--since|--from-db/);
      expect(run.stdout).not.toMatch(/"sentiment"/);
    }
    expect(viaFlag.stdout).toBe(viaHelp.stdout);

    const train = await runCarebot(['train', '--help']);
    expect(train.code).toBe(0);
    expect(train.stdout).toMatch(/^usage: carebot train --model FILE \[--input FILE\] \[--from-db\]/);
    expect(train.stdout).toMatch(/^ {2}--from-db +\S/m);
  });
});

describe('a wrong command line: one line, exit 2', () => {
  it('names the unknown command, option or missing value', async () => {
    expect(oneLine(await runCarebot(['strat']), 2)).toBe("carebot: unknown command 'strat' (carebot --help lists the commands)");
    expect(oneLine(await runCarebot(['--verbose']), 2)).toMatch(/^carebot: unknown option --verbose /);
    expect(oneLine(await runCarebot(['triage', '--inptu', 'x.jsonl']), 2)).toMatch(/^carebot: triage: unknown option --inptu /);
    expect(oneLine(await runCarebot(['triage', '--input']), 2)).toMatch(/^carebot: triage: --input needs a value/);
    expect(oneLine(await runCarebot(['start', '--role', 'worker']), 2)).toMatch(
      /^carebot: start: --role 'worker': expected all, http, workers$/,
    );
    expect(oneLine(await runCarebot(['help', 'frobnicate']), 2)).toMatch(/^carebot: help: unknown command 'frobnicate'/);
  });
});

describe('every failure is one line that names the cause and the value', () => {
  it('PORT=abc shows abc', async () => {
    const line = oneLine(await runCarebot(['start'], { env: { PORT: 'abc' } }), 1);
    expect(line).toBe('carebot: PORT: expected a number, got "abc"');
  });

  it('a mistyped key in the YAML file is named, with where it is and the key it meant', async () => {
    const yaml = join(dir, 'typo.yaml');
    writeFileSync(yaml, 'brand: { name: Acme }\nroutes:\n  - { chanel: C0BILLING1, category: [billing] }\n');
    const line = oneLine(await runCarebot(['start'], { env: { CAREBOT_CONFIG: yaml } }), 1);
    expect(line).toBe('carebot: CAREBOT_CONFIG routes.0: unknown key "chanel" (did you mean "channel"?)');
  });

  it('triage --input and --model name the missing file', async () => {
    const missing = join(dir, 'no-such-input.jsonl');
    expect(oneLine(await runCarebot(['triage', '--input', missing]), 1)).toBe(
      `carebot: triage: cannot read the input: no such file (--input ${missing})`,
    );
    const model = join(dir, 'no-such-model.json');
    expect(oneLine(await runCarebot(['triage', '--model', model], { stdin: '' }), 1)).toBe(
      `carebot: triage: cannot load triage model: no such file (--model ${model})`,
    );
    const notModel = join(dir, 'not-a-model.json');
    writeFileSync(notModel, '{"hello": "world"}\n');
    expect(oneLine(await runCarebot(['triage', '--model', notModel], { stdin: '' }), 1)).toMatch(
      new RegExp(`^carebot: triage: cannot load triage model: .+ \\(--model ${notModel}\\)$`),
    );
  });

  it('an unreachable DATABASE_URL is named without its password, for migrate and for start', async () => {
    const port = await closedPort();
    const env = { DATABASE_URL: `postgres://carebot:hunter2secret@127.0.0.1:${port}/carebot`, QUEUE_PREFIX: prefix, REDIS_URL };
    const expected = `cannot connect to the database: connection refused (DATABASE_URL=postgres://carebot@127.0.0.1:${port}/carebot)`;
    for (const command of ['migrate', 'start']) {
      const run = await runCarebot([command], { env });
      expect(oneLine(run, 1)).toBe(`carebot: ${command}: ${expected}`);
      expect(run.stdout + run.stderr).not.toContain('hunter2secret');
    }
  });

  it('a port in use is named, with the address', async () => {
    const taken: Server = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const { port } = taken.address() as { port: number };
    try {
      const run = await runCarebot(['start'], {
        env: { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: 'memory://', QUEUE_PREFIX: prefix, REDIS_URL, LOG_LEVEL: 'warn' },
      });
      expect(oneLine(run, 1)).toBe(`carebot: start: cannot listen on port ${port}: address already in use (HOST=127.0.0.1 PORT=${port})`);
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });

  it('train --from-db says what is missing: no database, no tables', async () => {
    const model = join(dir, 'model.json');
    // No DATA_DIR where it looks: nothing is created there.
    const none = oneLine(await runCarebot(['train', '--from-db', '--model', model]), 1);
    expect(none).toMatch(/^carebot: train: --from-db: no database there: .*\(DATA_DIR=\/.*\/data\)$/);

    // A database never migrated.
    expect(oneLine(await runCarebot(['train', '--from-db', '--model', model], { env: { DATA_DIR: 'memory://' } }), 1)).toBe(
      'carebot: train: the database has no carebot tables: run carebot migrate first (DATA_DIR=memory://)',
    );
  });

  it('train --from-db on a migrated database with no corrections yet says there is nothing to learn', async () => {
    const model = join(dir, 'model.json');
    const dataDir = join(dir, 'data');
    expect(await runCarebot(['migrate'], { env: { DATA_DIR: dataDir } })).toMatchObject({ code: 0, stderr: '' });
    const empty = oneLine(await runCarebot(['train', '--from-db', '--model', model], { env: { DATA_DIR: dataDir } }), 1);
    expect(empty).toMatch(/^carebot: train: nothing to learn: .* \(0 usable rows: 0 corrections of 0 mentions from the database\)$/);
  });
});
