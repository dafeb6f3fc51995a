/**
 * X's text as a person reads it. X HTML-escapes `&`, `<` and `>` in every text it sends (v1.1,
 * v2 and DMs alike; only these three were ever seen), and links are t.co short links with the
 * real address beside them in `entities.urls`.
 */

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>' };

/**
 * Undoes X's escaping, in one pass: `&amp;lt;` is a customer who typed `&lt;` and stays that.
 * The Slack layer escapes for Slack itself, so nothing here is escaped again.
 */
export const unescapeX = (text: string): string => text.replace(/&(?:amp|lt|gt);/g, (e) => ENTITIES[e]!);

/** A link X shortened: what the post shows, where it goes, and the photo or video it stands for. */
export interface LinkEntity {
  url: string;
  expanded_url?: string;
  media_key?: string;
}

/**
 * X ends a post that carries media with the t.co link of that media (v1.1 says so with
 * `display_text_range`, v2 with a `media_key` on the link). The media is shown on the card as
 * an attachment, so the link is dropped, from the end only: a link in the middle is the customer's.
 */
export function withoutTrailingMediaLinks(text: string, links: readonly LinkEntity[]): string {
  const media = new Set(links.filter((l) => l.media_key).map((l) => l.url));
  let out = text.trimEnd();
  for (;;) {
    const last = out.match(/\s*(\S+)$/);
    if (!last || !media.has(last[1]!)) return out;
    out = out.slice(0, last.index).trimEnd();
  }
}

/** t.co links replaced by the address they stand for, so an agent sees where a link goes. */
export function expandLinks(text: string, links: readonly LinkEntity[]): string {
  let out = text;
  for (const l of links) if (l.expanded_url && !l.media_key) out = out.split(l.url).join(l.expanded_url);
  return out;
}
