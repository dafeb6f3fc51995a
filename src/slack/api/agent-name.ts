import type { WebClient } from '@slack/web-api';

/** How an agent signs a reply to a customer: their Slack display name, else their real name. */
export async function agentName(slack: WebClient, user: string): Promise<string> {
  const { user: info } = await slack.users.info({ user });
  return info?.profile?.display_name || info?.profile?.real_name || info?.real_name || info?.name || 'our team';
}
