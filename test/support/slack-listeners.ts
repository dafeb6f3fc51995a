import { App } from '@slack/bolt';
import { afterAll, beforeAll } from 'vitest';
import { eventually } from './services.js';

/**
 * Bolt answers Slack (acks) before its listeners are done: an event is acknowledged at once and
 * an action as soon as the listener calls ack(), so the response a test awaits says nothing
 * about what the listener does after it. For a describe block: counts the requests Bolt is
 * handling (App#processEvent, which resolves once every listener has finished; the call goes
 * through unchanged), so a test can wait until every request delivered so far has been handled
 * to the end before it asserts that one changed nothing.
 */
export function slackListeners(): { idle(): Promise<void> } {
  let handling = 0;
  const processEvent = App.prototype.processEvent;
  beforeAll(() => {
    App.prototype.processEvent = async function (this: App, ...args: Parameters<App['processEvent']>) {
      handling++;
      try {
        return await processEvent.apply(this, args);
      } finally {
        handling--;
      }
    };
  });
  afterAll(() => {
    App.prototype.processEvent = processEvent;
  });
  return {
    idle: async () => {
      await eventually('every Slack request handled to the end by its listeners', () => handling === 0, 30_000);
    },
  };
}
