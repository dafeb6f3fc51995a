/** Slack mrkdwn treats &, < and > as control characters; customer text must not inject links or pings. */
export const escapeMrkdwn = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Customer words as a Slack block quote, escaped. */
export const quote = (text: string) => escapeMrkdwn(text).replace(/^/gm, '>');
