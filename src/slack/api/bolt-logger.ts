import { format } from 'node:util';
import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from '../../shared/log.js';

/**
 * Bolt and the Socket Mode client log through carebot's logger, so their lines get the same
 * level and the same scrubbing of secrets as everything else.
 */
export function boltLogger(log: Logger): SlackLogger {
  const child = log.child({ component: 'slack' });
  return {
    debug: (...msg: unknown[]) => child.debug(format(...msg)),
    info: (...msg: unknown[]) => child.info(format(...msg)),
    warn: (...msg: unknown[]) => child.warn(format(...msg)),
    error: (...msg: unknown[]) => child.error(format(...msg)),
    // The level is carebot's LOG_LEVEL; Bolt asking to change it changes nothing.
    setLevel: () => {},
    getLevel: () => (child.isLevelEnabled('debug') ? LogLevel.DEBUG : child.isLevelEnabled('info') ? LogLevel.INFO : LogLevel.WARN),
    setName: () => {},
  };
}
