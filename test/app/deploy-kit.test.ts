import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envSchema } from '../../config/env.js';
import { createHttpApp, listen } from '../../src/http/server.js';
import { queueNames } from '../../src/queues/queues.js';
import { createHarness, type Harness } from '../support/services.js';

/**
 * The deployment files are read by machines that never run this suite (Prometheus, Grafana,
 * Docker Compose, systemd): each is checked here against the code, so that renaming a metric, a
 * label, a variable or a command fails a test instead of an alert that silently never fires.
 */

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const deployFiles = readdirSync(join(root, 'deploy')).sort();

/** Every string under a key named `key`, at any depth: the PromQL of a dashboard or a rule file. */
function collect(node: unknown, key: string, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const n of node) collect(n, key, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === key && typeof v === 'string') out.push(v);
      else collect(v, key, out);
    }
  }
  return out;
}

/** The PromQL expressions of every dashboard (*.json) and rule file (*.yml) in deploy/, by file. */
const expressions = deployFiles
  .filter((f) => /\.(json|ya?ml)$/.test(f))
  .map((file) => {
    const text = read(`deploy/${file}`);
    return { file, exprs: collect(file.endsWith('.json') ? JSON.parse(text) : parse(text), 'expr') };
  })
  .filter((f) => f.exprs.length);

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);

/** The metric names an expression selects: identifiers that are not functions, keywords, labels or numbers. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    // Numbers (0.95, 1.5e9) and durations (5m, 1h30m).
    .replace(/(?<![\w:])\d+(?:\.\d+)?(?:e[+-]?\d+)?(?:(?:ms|[smhdwy])\d*)*/gi, ' ');
  const names: string[] = [];
  for (const m of bare.matchAll(/[a-zA-Z_:][\w:]*/g)) {
    const function_ = bare
      .slice(m.index + m[0].length)
      .trimStart()
      .startsWith('(');
    if (!function_ && !KEYWORDS.has(m[0].toLowerCase())) names.push(m[0]);
  }
  return names;
}

/** `metric{label op "value", …}`: the label matchers attached to each selector. */
function matchers(expr: string): { metric: string; label: string; op: string; value: string }[] {
  const out: { metric: string; label: string; op: string; value: string }[] = [];
  for (const sel of expr.matchAll(/([a-zA-Z_:][\w:]*)\s*\{([^}]*)\}/g)) {
    for (const m of sel[2]!.matchAll(/(\w+)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)) {
      out.push({ metric: sel[1]!, label: m[1]!, op: m[2]!, value: m[3]! });
    }
  }
  return out;
}

/** The label names an expression groups by. */
const groupings = (expr: string) =>
  [...expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',').map((l) => l.trim())).filter(Boolean);

/** Labels Prometheus itself adds to every scraped series. */
const TARGET_LABELS = ['job', 'instance'];

describe('the operations kit in deploy/ against a real /metrics scrape', () => {
  let h: Harness;
  let server: Server;
  /** Every series name the scrape exposes (a histogram's _bucket, _sum and _count included). */
  const exposed = new Set<string>(['up']); // Prometheus' own, per target
  /** Label names each exposed name may carry. */
  const labels = new Map<string, Set<string>>([['up', new Set(TARGET_LABELS)]]);
  /** The values the scrape shows for a metric's label, keyed `metric label`. */
  const seen = new Map<string, Set<string>>();
  let failureKinds: Set<string>;
  /** The values a label of a metric takes, when known. */
  const valuesOf = (metric: string, label: string): Set<string> | undefined => {
    if (label === 'job') return new Set(['carebot']);
    // A stage label is its queue's name (src/queues/stage-worker.ts).
    if (label === 'stage') return new Set(queueNames);
    if (metric === 'carebot_stage_failures_total' && label === 'kind') return failureKinds;
    return seen.get(`${metric} ${label}`);
  };

  beforeAll(async () => {
    h = await createHarness('pglite');
    server = await listen(createHttpApp(h.s), 0);
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();

    const families = new Map(
      h.s.metrics.registry.getMetricsAsArray().map((m) => [m.name, (m as { labelNames?: string[] }).labelNames ?? []]),
    );
    for (const line of text.split('\n')) {
      const type = /^# TYPE (\S+) (\S+)$/.exec(line);
      if (type) {
        const [, name, kind] = type as unknown as [string, string, string];
        const own = [...TARGET_LABELS, ...(families.get(name) ?? [])];
        const add = (n: string, extra: string[] = []) => {
          exposed.add(n);
          labels.set(n, new Set([...own, ...extra]));
        };
        if (kind === 'histogram') {
          add(`${name}_bucket`, ['le']);
          add(`${name}_sum`);
          add(`${name}_count`);
        } else if (kind === 'summary') {
          add(name, ['quantile']);
          add(`${name}_sum`);
          add(`${name}_count`);
        } else add(name);
        continue;
      }
      const series = /^([a-zA-Z_:][\w:]*)\{([^}]*)\}/.exec(line);
      if (!series) continue;
      for (const l of series[2]!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
        labels.get(series[1]!)?.add(l[1]!);
        const key = `${series[1]} ${l[1]}`;
        if (!seen.has(key)) seen.set(key, new Set());
        seen.get(key)!.add(l[2]!);
      }
    }
    // No stage has failed in this fresh scrape: a failure's kinds are the ones the stage worker counts.
    const worker = read('src/queues/stage-worker.ts');
    failureKinds = new Set([...worker.matchAll(/failures\.inc\(.*$/gm)].flatMap((l) => [...l[0].matchAll(/'(\w+)'/g)].map((m) => m[1]!)));
    expect([...failureKinds]).toContain('rate_limited');
  }, 60_000);

  afterAll(async () => {
    server?.close();
    await h?.close();
  });

  it('finds the Grafana dashboard and the Prometheus rules', () => {
    expect(expressions.map((e) => e.file)).toEqual(expect.arrayContaining(['grafana-dashboard.json', 'prometheus-alerts.yml']));
    for (const { exprs } of expressions) expect(exprs.length).toBeGreaterThanOrEqual(8);
  });

  it('names only metrics a running carebot exposes', () => {
    expect(exposed).toContain('carebot_queue_jobs');
    const unknown = expressions.flatMap(({ file, exprs }) =>
      exprs.flatMap((expr) =>
        metricNames(expr)
          .filter((n) => !exposed.has(n))
          .map((n) => `${file}: ${n} in ${expr}`),
      ),
    );
    expect(unknown).toEqual([]);
  });

  it('selects and groups by labels those metrics carry, with values carebot gives them', () => {
    const wrong: string[] = [];
    for (const { file, exprs } of expressions) {
      for (const expr of exprs) {
        const used = new Set(metricNames(expr).flatMap((n) => [...(labels.get(n) ?? [])]));
        for (const l of groupings(expr)) if (!used.has(l)) wrong.push(`${file}: no metric of ${expr} has the label ${l}`);
        for (const m of matchers(expr)) {
          if (!labels.get(m.metric)?.has(m.label)) {
            wrong.push(`${file}: ${m.metric} has no label ${m.label}`);
            continue;
          }
          // Each literal alternative of the value (a|b|c) must be one the label takes.
          const known = valuesOf(m.metric, m.label);
          const literals = m.op.includes('~') ? m.value.split('|') : [m.value];
          for (const v of literals) {
            if (known && /^\w+$/.test(v) && !known.has(v))
              wrong.push(`${file}: ${m.metric}{${m.label}} is never "${v}" (${[...known].join(', ')})`);
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('covers queue depth, stage latency, end-to-end latency, failures and 429s in both the dashboard and the alerts', () => {
    for (const { file, exprs } of expressions) {
      const all = exprs.join('\n');
      for (const needed of [
        'carebot_queue_jobs',
        'carebot_stage_duration_seconds_bucket',
        'carebot_mention_to_slack_seconds_bucket',
        'carebot_stage_failures_total',
        'kind="rate_limited"',
      ]) {
        expect(all, `${file} lacks ${needed}`).toContain(needed);
      }
    }
  });

  it('metricNames reads PromQL as Prometheus does', () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le, stage) (rate(a_bucket{job="x", stage=~"a|b"}[5m]))) > 1.5e9 unless on (queue) label_replace(b, "q", "$1", "s", "(.*)")',
      ),
    ).toEqual(['a_bucket', 'b']);
    expect(metricNames('max by (instance) (c{job="carebot"}) > 0.5 and d offset 5m')).toEqual(['c', 'd']);
  });
});

describe('the Prometheus and Grafana files', () => {
  const rules = parse(read('deploy/prometheus-alerts.yml')) as {
    groups: {
      name: string;
      rules: { alert: string; expr: string; for?: string; labels: { severity: string }; annotations: Record<string, string> }[];
    }[];
  };

  it('alert rules: named once, a severity, a summary and a description each', () => {
    const all = rules.groups.flatMap((g) => g.rules);
    expect(new Set(all.map((r) => r.alert)).size).toBe(all.length);
    for (const r of all) {
      expect(r.alert).toMatch(/^Carebot[A-Z]\w+$/);
      expect(['critical', 'warning', 'info']).toContain(r.labels.severity);
      expect(r.annotations.summary, r.alert).toBeTruthy();
      expect(r.annotations.description, r.alert).toBeTruthy();
      if (r.for !== undefined) expect(r.for).toMatch(/^\d+[smh]$/);
    }
  });

  it('the dashboard: unique panel ids, every graph with a Prometheus query on the grid', () => {
    const dashboard = JSON.parse(read('deploy/grafana-dashboard.json')) as {
      uid: string;
      panels: { id: number; type: string; gridPos: { x: number; w: number }; targets?: { refId: string; expr: string }[] }[];
    };
    expect(dashboard.uid).toBe('carebot');
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    for (const p of dashboard.panels) {
      expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
      if (p.type === 'row') continue;
      expect(p.targets?.length, `panel ${p.id}`).toBeGreaterThan(0);
      for (const t of p.targets!) expect(t.expr).toMatch(/job="carebot"/);
    }
  });

  it('prometheus.yml scrapes /metrics as job carebot and loads the rules beside it', () => {
    const config = parse(read('deploy/prometheus.yml')) as {
      rule_files: string[];
      scrape_configs: { job_name: string; metrics_path: string }[];
    };
    for (const f of config.rule_files) expect(existsSync(join(root, 'deploy', f)), f).toBe(true);
    expect(config.scrape_configs).toContainEqual(expect.objectContaining({ job_name: 'carebot', metrics_path: '/metrics' }));
  });
});

describe('compose.yaml, the Dockerfile and the systemd unit', () => {
  const variables = new Set(Object.keys(envSchema.shape));
  const commands = ['start', 'migrate', 'doctor', 'triage', 'train', 'audit'];
  const roles = ['all', 'http', 'workers'];
  const bin = Object.keys((JSON.parse(read('package.json')) as { bin: Record<string, string> }).bin);
  /** A carebot command line: a known command, and a known role when it has one. */
  const checkArgs = (args: string[]) => {
    expect(commands).toContain(args[0]);
    const role = args.indexOf('--role');
    if (role >= 0) expect(roles).toContain(args[role + 1]);
  };

  it('compose.yaml: an http process, scalable workers, Redis that never evicts and PostgreSQL, on volumes', () => {
    type Service = {
      image?: string;
      command?: string[];
      environment?: Record<string, unknown>;
      deploy?: { replicas: number };
      volumes?: string[];
    };
    const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
    const carebot = Object.entries(compose.services).filter(([, s]) => s.image === 'carebot:local');
    expect(carebot.map(([name]) => name).sort()).toEqual(['http', 'migrate', 'workers']);
    for (const [name, s] of carebot) {
      checkArgs(s.command!);
      for (const v of Object.keys(s.environment ?? {})) expect(variables, `${name}: ${v}`).toContain(v);
    }
    expect(compose.services.http!.command).toEqual(['start', '--role', 'http']);
    expect(compose.services.workers!.command).toEqual(['start', '--role', 'workers']);
    expect(compose.services.workers!.deploy!.replicas).toBeGreaterThanOrEqual(2);
    // Split roles need PostgreSQL: embedded PGlite has a single owner.
    expect(String(compose.services.workers!.environment!.DATABASE_URL)).toMatch(/^postgres:\/\/.+@postgres:5432\//);
    expect(compose.services.redis!.command!.join(' ')).toContain('--maxmemory-policy noeviction');
    for (const data of ['redis', 'postgres']) {
      const volume = compose.services[data]!.volumes![0]!.split(':')[0]!;
      expect(compose.volumes).toHaveProperty(volume);
    }
  });

  it('the Dockerfile: Node 20 slim in both stages, a non-root user, a HEALTHCHECK on /healthz, the package’s bin', () => {
    const docker = read('Dockerfile').replace(/\\\n/g, ' ');
    expect([...docker.matchAll(/^FROM (\S+)/gm)].map((m) => m[1])).toEqual(['node:20-slim', 'node:20-slim']);
    expect(docker).toMatch(/^USER node$/m);
    expect(docker).toMatch(/^HEALTHCHECK .*\/healthz/m);
    expect(docker).toMatch(/^ENTRYPOINT \["node", "bin\/carebot\.js"\]$/m);
    checkArgs(JSON.parse(/^CMD (.*)$/m.exec(docker)![1]!) as string[]);
    const env = /^ENV (.*)$/m.exec(docker)![1]!;
    for (const [, name] of env.matchAll(/(\w+)=/g)) if (name !== 'NODE_ENV') expect(variables).toContain(name);
    // The image is the npm package (the files package.json ships), installed from the lockfile.
    expect(docker).toContain('npm pack');
    expect(docker).toMatch(/npm ci --omit=dev/);
  });

  it('deploy/carebot.service: runs the installed bin with known commands and variables', () => {
    const unit = read('deploy/carebot.service');
    const exec = [...unit.matchAll(/^ExecStart(?:Pre)?=(\S+) (.*)$/gm)];
    expect(exec.length).toBe(2);
    for (const [, path, args] of exec) {
      expect(path).toBe(`/opt/carebot/node_modules/.bin/${bin[0]}`);
      checkArgs(args!.split(/\s+/));
    }
    for (const [, name] of unit.matchAll(/^Environment=(\w+)=/gm)) if (name !== 'NODE_ENV') expect(variables).toContain(name);
    expect(unit).toMatch(/^User=carebot$/m);
    expect(unit).toMatch(/^KillSignal=SIGTERM$/m);
  });
});
