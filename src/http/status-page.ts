import type { Express } from 'express';
import { statusReport } from '../incidents/status-report.js';
import type { Ctx } from '../context.js';
import { statusHtml } from './status-html.js';

/** Short: the page is read by many at once during an incident, and must not lag an update by much. */
const CACHE = 'public, max-age=30';

/**
 * `GET /status` (HTML) and `GET /status.json`: the public status page the brand links to, and
 * where `{{status_url}}` in replies points (incidents.publicUrl + `/status`).
 */
export function mountStatusPage(s: Ctx<'config' | 'db'>) {
  return (app: Express) => {
    app.get('/status.json', async (_req, res) => {
      const report = await statusReport(s.db);
      // Public data with no credentials involved: a brand's own site may show it from the browser.
      res.set({ 'Cache-Control': CACHE, 'Access-Control-Allow-Origin': '*' }).json(report);
    });
    app.get('/status', async (_req, res) => {
      const report = await statusReport(s.db);
      res
        .set({
          'Cache-Control': CACHE,
          // The page has no script and no outside asset; say so, so that a missed escape could still not run one.
          'Content-Security-Policy':
            "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
          'X-Content-Type-Options': 'nosniff',
        })
        .type('html')
        .send(statusHtml(report, s.config.file.brand.name));
    });
  };
}
