/**
 * Bidirectional embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069): in a
 * handle or a quote they can make text read as something else ("@dana" followed by a reversed
 * "moc.evil"). Natural right-to-left text needs none of them; they are dropped from what agents see.
 */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text from customers (and anyone else carebot does not write itself) for a Slack mrkdwn text
 * object or a message's top-level `text`: Slack treats `&`, `<` and `>` as control characters
 * (links, `<!here>`, `<@U…>` pings), so they become `&amp;`, `&lt;` and `&gt;`, the only entities
 * Slack decodes. An already-encoded `&lt;` therefore shows as `&lt;`, never as a live `<`.
 * Apply once, to raw text, after any truncation (so an entity is never cut in half).
 */
export const escapeMrkdwn = (text: string) =>
  text.replace(BIDI_CONTROLS, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Customer words as a Slack block quote, escaped. */
export const quote = (text: string) => escapeMrkdwn(text).replace(/^/gm, '>');
