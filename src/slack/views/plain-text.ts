/**
 * What an agent typed in Slack, as the customer should read it. Slack hands message text in its
 * own markup: `&amp;`-style escapes, `<https://x|label>` links, `<@U123>` and `<#C123|name>`
 * references — none of which mean anything on X or Discord.
 */
export function plainText(slackText: string): string {
  return slackText
    .replace(/<(https?:\/\/[^|>]+)(?:\|[^>]*)?>/g, '$1')
    .replace(/<mailto:([^|>]+)(?:\|[^>]*)?>/g, '$1')
    .replace(/<#[A-Z0-9]+\|([^>]+)>/g, '#$1')
    .replace(/<[@!][^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
}
