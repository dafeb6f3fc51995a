const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The first `max` characters of `text`, cut between graphemes so that an emoji is never split:
 * half a surrogate pair makes Slack's form encoding throw, and a card that cannot be encoded is
 * never posted.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = '';
  for (const { segment } of graphemes.segment(text)) {
    if (out.length + segment.length > max - 1) break;
    out += segment;
  }
  return `${out}…`;
}

/**
 * Customer text rendered into a Block Kit text object, cut so the result stays within Slack's
 * limit (3,000 characters for a section). Escaping makes the rendered text longer than the raw
 * text by an amount that depends on it, so shrink until it fits.
 */
export function fitRendered(text: string, render: (text: string) => string, max = 3000): string {
  let rendered = render(text);
  let keep = text.length;
  while (rendered.length > max) {
    keep = Math.max(0, Math.floor((keep * max) / rendered.length) - 1);
    rendered = render(truncate(text, keep));
  }
  return rendered;
}
