import type { WebClient } from '@slack/web-api';
import type { SlackCtx } from '../../context.js';
import { audit } from '../../db/audit.js';

/** What a Slack user may do in carebot; each role includes the ones before it. */
export const roleNames = ['agent', 'lead', 'admin'] as const;
export type Role = (typeof roleNames)[number];

const listOf = { agent: 'agents', lead: 'leads', admin: 'admins' } as const;
const fallback: Record<Role, string> = {
  agent: 'the members of the inbox channels',
  lead: "the workspace's admins and owners",
  admin: "the workspace's admins and owners",
};

/** Who holds `role`, in words an agent who was refused can act on. */
export const whoMay = (role: Role) =>
  `${listOf[role]} (\`slack.roles.${listOf[role]}\` in the carebot config; when it is empty, ${fallback[role]})` +
  (role === 'admin' ? '' : role === 'lead' ? ' and admins' : ', leads and admins');

interface SlackUser {
  deleted?: boolean;
  is_bot?: boolean;
  is_admin?: boolean;
  is_owner?: boolean;
  is_restricted?: boolean;
  is_ultra_restricted?: boolean;
}

/** One check's view of Slack: each thing is asked at most once, and only if the answer matters. */
class Asker {
  private userInfo?: Promise<SlackUser>;
  private readonly groups = new Map<string, Promise<string[]>>();
  constructor(
    private readonly slack: WebClient,
    private readonly id: string,
  ) {}

  user(): Promise<SlackUser> {
    this.userInfo ??= this.slack.users.info({ user: this.id }).then((r) => (r.user ?? { deleted: true }) as SlackUser);
    return this.userInfo;
  }

  /** Whether the user is named in `ids`, directly or through a user group. */
  async listed(ids: string[]): Promise<boolean> {
    if (ids.includes(this.id)) return true;
    for (const group of ids.filter((id) => id.startsWith('S'))) {
      if (!this.groups.has(group)) {
        this.groups.set(
          group,
          this.slack.usergroups.users.list({ usergroup: group }).then((r) => r.users ?? []),
        );
      }
      if ((await this.groups.get(group))!.includes(this.id)) return true;
    }
    return false;
  }

  async inChannel(channel: string): Promise<boolean> {
    let cursor: string | undefined;
    do {
      const page = await this.slack.conversations.members({ channel, limit: 1000, cursor });
      if (page.members?.includes(this.id)) return true;
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return false;
  }
}

/** Guests (single- and multi-channel) never hold a role unless a list names them. */
const isGuest = (u: SlackUser) => Boolean(u.is_restricted || u.is_ultra_restricted);

/** The channels whose members are agents when `slack.roles.agents` is empty: where cards are posted. */
export function inboxChannels(s: SlackCtx<'config'>): string[] {
  const { SLACK_INBOX_CHANNEL, file } = s.config;
  return [...new Set([...(SLACK_INBOX_CHANNEL ? [SLACK_INBOX_CHANNEL] : []), ...file.routes.map((r) => r.channel)])];
}

async function holds(s: SlackCtx<'config'>, ask: Asker, role: Role): Promise<boolean> {
  const lists = s.config.file.slack.roles;
  const list = lists[listOf[role]];
  if (list.length && (await ask.listed(list))) return true;
  if (role !== 'admin' && (await holds(s, ask, role === 'agent' ? 'lead' : 'admin'))) return true;
  if (list.length) return false;
  const user = await ask.user();
  if (isGuest(user)) return false;
  if (role !== 'agent') return Boolean(user.is_admin || user.is_owner);
  for (const channel of inboxChannels(s)) if (await ask.inChannel(channel)) return true;
  return false;
}

/**
 * Whether a Slack user holds `role`, asked from Slack each time (a change there applies at once).
 * Fails closed: a deleted user, a bot, or any error from Slack means no; so does a guest when
 * `guests` is false, even one a role list names.
 */
async function check(s: SlackCtx<'config' | 'log'>, user: string, role: Role, guests: boolean): Promise<boolean> {
  const ask = new Asker(s.slack, user);
  try {
    const u = await ask.user();
    if (u.deleted || u.is_bot || (!guests && isGuest(u))) return false;
    return await holds(s, ask, role);
  } catch (err) {
    s.log.warn({ err: (err as Error).message, user, role }, 'slack: could not check a role, so the action is refused');
    return false;
  }
}

export const hasRole = (s: SlackCtx<'config' | 'log'>, user: string, role: Role) => check(s, user, role, true);

/** App Home lists every open conversation's customer text: for agents, and never for a guest. */
export const mayReadInbox = (s: SlackCtx<'config' | 'log'>, user: string) => check(s, user, 'agent', false);

/**
 * The check every restricted action makes: undefined when `user` may, else the refusal to show
 * them (saying who may). A refusal is audited, so a lead can see who tried what.
 */
export async function refusal(
  s: SlackCtx<'config' | 'log' | 'db'>,
  user: string,
  role: Role,
  action: string,
  subject: Parameters<typeof audit>[3],
): Promise<string | undefined> {
  if (await hasRole(s, user, role)) return undefined;
  await audit(s.db, user, 'denied', subject, { action, needs: role });
  return `Only ${whoMay(role)} may ${action}. Nothing was done.`;
}
