import type { Express } from 'express';

/** Adds routes to the one HTTP app: each adapter (a network's webhooks, Slack, the status page) brings its own. */
export type Mount = (app: Express) => void;
