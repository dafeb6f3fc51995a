import { escapeMrkdwn } from './escape.js';

/**
 * Characters that must not appear raw inside Slack's `<url|label>`: `|` ends the URL, `>` ends
 * the link, `<` starts another one, and whitespace, quotes and control characters have no place
 * in a URL. The WHATWG serialisation percent-encodes most of them already, but not `|` (nor `'`
 * outside the query); whatever is left is percent-encoded here.
 */
const UNSAFE_IN_URL = /[^\x21-\x7e]|[|<>"'`\\^{}]/gu;

/**
 * The URL as it may go inside Slack's `<…>` link markup, or undefined when it must not be linked:
 * only an absolute http(s) URL is (no `javascript:`, `data:`, `slack:`…). Credentials are dropped
 * (`https://slack.com@evil.test` is a phishing trick), characters that could break out of the
 * markup are percent-encoded, and `&` is written `&amp;` as Slack's own links are.
 */
export function safeUrl(raw: string | null | undefined): string | undefined {
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  url.username = '';
  url.password = '';
  return url.href.replace(UNSAFE_IN_URL, (c) => encodeURIComponent(c).replace(/[!'()*]/g, pct)).replace(/&/g, '&amp;');
}

const pct = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;

/** A link's visible text: escaped, on one line, and without `|` (shown as `¦`), which Slack's link markup reserves. */
export const linkLabel = (label: string) =>
  escapeMrkdwn(label)
    .replace(/[\p{Cc}\u2028\u2029]+/gu, ' ')
    .replace(/\|/g, '¦');

/**
 * "A safe Slack link": `<url|label>` when the URL is an http(s) one, else the label alone (escaped,
 * not linked). Every link whose URL or label comes from a customer, a network, a webhook source or
 * Slack itself is built here; nothing else in carebot writes `<url|…>`.
 */
export function slackLink(url: string | null | undefined, label: string): string {
  const safe = safeUrl(url);
  return safe ? `<${safe}|${linkLabel(label)}>` : linkLabel(label);
}
