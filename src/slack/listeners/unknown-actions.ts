import type { AnyMiddlewareArgs, App } from '@slack/bolt';
import type { SlackCtx } from '../../context.js';
import { actionIds, shortcutIds, viewIds } from '../views/action-ids.js';

const known = new Set<string>([...Object.values(actionIds), ...Object.values(viewIds), ...Object.values(shortcutIds)]);

/** The action, view or shortcut ids an interaction names; undefined for what is not an interaction (events, commands). */
function idsOf(body: AnyMiddlewareArgs['body']): string[] | undefined {
  const b = body as { type?: string; actions?: { action_id?: string }[]; view?: { callback_id?: string }; callback_id?: string };
  if (b.type === 'block_actions') return (b.actions ?? []).map((a) => a.action_id ?? '');
  if (b.type === 'view_submission' || b.type === 'view_closed') return [b.view?.callback_id ?? ''];
  if (b.type === 'shortcut' || b.type === 'message_action') return [b.callback_id ?? ''];
  return undefined;
}

/**
 * A click on a button this carebot does not know (a card posted by an older version, an app
 * upgraded under an open modal) is acknowledged and explained, instead of leaving Slack to show
 * its own error after 3 s.
 */
export function onUnknownActions(app: App, s: SlackCtx<'log'>): void {
  app.use(async (args) => {
    const ids = idsOf(args.body);
    if (!ids || ids.some((id) => known.has(id))) return args.next();
    const { ack } = args as { ack?: () => Promise<void> };
    await ack?.();
    s.log.info({ ids }, 'slack: an interaction carebot does not know (a card or modal from an older version)');
    const b = args.body as { type?: string; channel?: { id?: string }; user?: { id?: string } };
    if (b.type === 'block_actions' && b.channel?.id && b.user?.id) {
      await s.slack.chat.postEphemeral({
        channel: b.channel.id,
        user: b.user.id,
        text: 'This card is from an older version of carebot and that button no longer works here. Nothing was done: use the buttons on a newer card, or App Home.',
      });
    }
  });
}
