import type { HomeView } from '@slack/web-api';

/** App Home for someone who is not an agent: no customer data, and who to ask. */
export const homeClosed = (why: string): HomeView => ({
  type: 'home',
  blocks: [
    { type: 'header', text: { type: 'plain_text', text: 'carebot' } },
    { type: 'section', text: { type: 'mrkdwn', text: why } },
  ],
});
