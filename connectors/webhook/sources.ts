import type { Config } from '../../config/index.js';

/** A source's own secret from the YAML file, or WEBHOOK_SECRET for sources without one. */
export const secretFor = (config: Config, source: string): string | undefined =>
  config.file.webhooks[source]?.secret ?? config.WEBHOOK_SECRET;
