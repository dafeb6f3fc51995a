import { pino, type Logger, type DestinationStream } from 'pino';
import type { Config } from '../../config/index.js';

export type { Logger } from 'pino';

const SECRET_NAME = /TOKEN|SECRET|PASSWORD/;

/** Every secret value the configuration holds: tokens, passwords, and passwords inside URLs. */
export function secretsOf(config: Config): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(config)) {
    if (SECRET_NAME.test(name) && typeof value === 'string') values.push(value);
  }
  for (const u of [config.DATABASE_URL, config.REDIS_URL]) {
    if (!u) continue;
    const password = new URL(u).password;
    if (password) values.push(password, decodeURIComponent(password));
  }
  for (const source of Object.values(config.file.webhooks)) values.push(source.secret);
  // JSON-escaped forms too: that is how a secret looks inside a serialized log line.
  const all = values.flatMap((v) => [v, JSON.stringify(v).slice(1, -1)]);
  return [...new Set(all)].filter((v) => v.length >= 4).sort((a, b) => b.length - a.length);
}

/**
 * Scrubs secret values from every line on its way out. Redacting known field names is not
 * enough: a token can surface inside an error message or a URL that some library logs.
 */
function scrubbing(secrets: string[], out: DestinationStream): DestinationStream {
  if (!secrets.length) return out;
  return {
    write(line: string) {
      let clean = line;
      for (const s of secrets) if (clean.includes(s)) clean = clean.split(s).join('[REDACTED]');
      out.write(clean);
    },
  };
}

export function createLogger(config: Config, out: DestinationStream = pino.destination(1)): Logger {
  return pino(
    {
      level: config.LOG_LEVEL,
      base: { pid: process.pid },
      redact: {
        paths: ['*.authorization', '*.headers.authorization', '*.token', '*.password', '*.secret', '*.cookie'],
        censor: '[REDACTED]',
      },
    },
    scrubbing(secretsOf(config), out),
  );
}
