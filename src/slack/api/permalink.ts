import type { WebClient } from '@slack/web-api';

const workspaces = new WeakMap<WebClient, Promise<string>>();

/**
 * A link to a Slack message. The workspace URL comes from auth.test once per client, so a
 * page of links (App Home) costs no call per message.
 */
export async function messageLink(slack: WebClient, channel: string, ts: string): Promise<string> {
  let workspace = workspaces.get(slack);
  if (!workspace) {
    workspace = slack.auth.test().then((r) => r.url ?? 'https://slack.com/');
    workspace.catch(() => workspaces.delete(slack));
    workspaces.set(slack, workspace);
  }
  return `${await workspace}archives/${channel}/p${ts.replace('.', '')}`;
}
