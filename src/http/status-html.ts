import { PAST_DAYS, type PublicIncident, type StatusReport } from '../incidents/status-report.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Every value on the page comes from Slack users: escaped wherever it goes (text or attribute). */
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const STATE_NAMES: Record<PublicIncident['state'], string> = {
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
};

/** UTC, to the minute, since readers are anywhere; the exact instant is in `datetime`. */
const time = (d: Date) => `<time datetime="${d.toISOString()}">${d.toISOString().slice(0, 16).replace('T', ' ')} UTC</time>`;

function incident(i: PublicIncident): string {
  const components = i.components.length ? `<p>Affected: ${i.components.map(escapeHtml).join(', ')}</p>` : '';
  const resolved = i.resolvedAt ? ` · resolved ${time(i.resolvedAt)}` : '';
  const updates = i.updates
    .map((u) => `<li><p><strong>${STATE_NAMES[u.state]}</strong> · ${time(u.at)}</p><p class="text">${escapeHtml(u.text)}</p></li>`)
    .join('\n');
  return `<article class="${i.state}">
<h3>${escapeHtml(i.title)}</h3>
<p><strong>${STATE_NAMES[i.state]}</strong> · started ${time(i.startedAt)}${resolved}</p>
${components}
<ol reversed role="list" aria-label="Updates, newest first">
${updates}
</ol>
</article>`;
}

function section(heading: string, list: PublicIncident[], empty: string): string {
  return `<section>\n<h2>${heading}</h2>\n${list.length ? list.map(incident).join('\n') : `<p>${empty}</p>`}\n</section>`;
}

const CSS = `body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;background:#fff}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem}h3{font-size:1.1rem;margin:0}
.summary{padding:.75rem 1rem;border-radius:6px;background:#e6f4ea;color:#0b4a1e;font-weight:600}
.summary.incident{background:#fdecea;color:#7a1010}
article{border-left:4px solid #b3261e;padding:.25rem 1rem;margin:1rem 0}article.resolved{border-color:#888}
ol{list-style:none;padding:0}li p{margin:.5rem 0 0}.text{white-space:pre-line;margin-top:0}`;

/** The status page: plain HTML, no script and no outside asset, readable without CSS. */
export function statusHtml(report: StatusReport, brand?: string): string {
  const title = brand ? `${escapeHtml(brand)} status` : 'Status';
  const open = report.incidents.filter((i) => i.state !== 'resolved');
  const past = report.incidents.filter((i) => i.state === 'resolved');
  const summary = open.length
    ? `<p class="summary incident" role="status">${open.length === 1 ? 'An incident is' : `${open.length} incidents are`} under way</p>`
    : '<p class="summary" role="status">All systems operational</p>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>${title}</h1>
${summary}
${open.length ? section('Current incidents', open, '') : ''}
${section('Past incidents', past, `No incidents in the last ${PAST_DAYS} days.`)}
</main>
</body>
</html>
`;
}
