import type { WebClient } from '@slack/web-api';
import type { SlackSettings } from '../../../config/file.js';

export type Permission = 'reply' | 'broadcast';

/**
 * Whether a Slack user may reply to customers or broadcast. The list holds user ids and user
 * group ids; an empty list lets everyone in the workspace. Group members are asked from Slack
 * each time, so a change in Slack takes effect at once.
 */
export async function may(slack: WebClient, settings: SlackSettings, user: string, what: Permission): Promise<boolean> {
  const allowed = settings.permissions[what];
  if (allowed.length === 0 || allowed.includes(user)) return true;
  for (const group of allowed.filter((id) => id.startsWith('S'))) {
    const res = await slack.usergroups.users.list({ usergroup: group });
    if (res.users?.includes(user)) return true;
  }
  return false;
}
