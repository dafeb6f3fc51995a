import { describe, expect, it } from 'vitest';
import { registry } from '../../connectors/registry.js';
import { mentionSchema } from '../../src/mention.js';

const webhookPayload = (body: Record<string, unknown>) => ({
  source: 'shop',
  body: { id: '1', text: 'where is my order', author: { id: 'c-1', handle: 'ann' }, ...body },
});

describe('the Mention model', () => {
  it('refuses a follower count beyond what the database holds, naming the field (not a database error later)', () => {
    const m = registry.webhook.normalize(webhookPayload({ author: { id: 'c-1', handle: 'ann', followers: 3_000_000_000 } }));
    const parsed = mentionSchema.safeParse(m);
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.path).toEqual(['author', 'followers']);
    expect(mentionSchema.safeParse({ ...m, author: { ...m.author, followers: 2_147_483_647 } }).success).toBe(true);
  });

  it('takes a message of attachments alone, and refuses one with neither words nor attachments', () => {
    const m = registry.webhook.normalize(webhookPayload({}));
    const sticker = { kind: 'sticker' as const, name: 'Wave', url: null };
    expect(mentionSchema.safeParse({ ...m, text: '', attachments: [sticker] }).success).toBe(true);
    const empty = mentionSchema.safeParse({ ...m, text: '  ', attachments: [] });
    expect(empty.error?.issues[0]).toMatchObject({ path: ['text'], message: 'empty text' });
  });
});
