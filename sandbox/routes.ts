// The sandbox's HTTP surface on carebot's own server: the page (/sandbox/), its live feed and
// the actions it asks for. Every body is checked; a bad one is a 400 with the reason.
import { fileURLToPath } from 'node:url';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Customers } from './customers.js';
import type { liveFeed } from './live.js';
import type { Scenario } from './scenario.js';
import { SlackActionError, type SlackPane } from './slack-pane.js';

const text = z.string().trim().min(1).max(2000);
const handle = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_]{1,15}$/, 'a handle is 1–15 letters, digits or _');
const id = z.string().min(1).max(64);
const bodies = {
  click: z.strictObject({ channel: id, ts: id, actionId: id, value: z.string().max(2000).optional() }),
  clickEphemeral: z.strictObject({ id: z.number().int().min(0), actionId: id }),
  viewClick: z.strictObject({ viewId: id, actionId: id, value: z.string().max(2000).optional() }),
  submit: z.strictObject({ viewId: id, inputs: z.record(id, z.string().max(3000)) }),
  close: z.strictObject({ viewId: id }),
  write: z.strictObject({ channel: id, text, threadTs: id.optional() }),
  tweet: z.strictObject({ username: handle, text: text.max(280), inReplyTo: z.string().regex(/^\d+$/).optional() }),
  // X takes DMs of up to 10,000 characters.
  dm: z.strictObject({ username: handle, text: z.string().trim().min(1).max(10_000) }),
  // A message with a photo may have no words; one without has to have some.
  discord: z
    .strictObject({
      username: handle,
      text: z.string().trim().max(2000),
      where: z.enum(['dm', 'mention']),
      attachment: z.boolean().optional(),
    })
    .refine((b) => b.text.length > 0 || b.attachment === true, { path: ['text'], message: 'write something or attach the photo' }),
};

type Deps = { pane: SlackPane; people: Customers; scenario: Scenario; feed: ReturnType<typeof liveFeed> };

export function mountSandbox({ pane, people, scenario, feed }: Deps) {
  const act =
    <S extends z.ZodType>(schema: S, run: (body: z.infer<S>) => Promise<unknown> | unknown) =>
    async (req: Request, res: Response, next: NextFunction) => {
      const parsed = schema.safeParse(req.body);
      if (!parsed.success)
        return void res
          .status(400)
          .json({ error: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') });
      try {
        const result = await run(parsed.data);
        feed.check();
        res.json({ ok: true, ...(result && typeof result === 'object' ? { result } : {}) });
      } catch (err) {
        if (err instanceof SlackActionError) return void res.status(409).json({ error: err.message });
        next(err);
      }
    };

  return (app: Express) => {
    const api = express.Router();
    api.use(express.json({ limit: '64kb' }));
    api.get('/events', (_req, res) => feed.subscribe(res));
    api.post(
      '/slack/click',
      act(bodies.click, (b) => pane.click(b.channel, b.ts, b.actionId, b.value)),
    );
    api.post(
      '/slack/click-ephemeral',
      act(bodies.clickEphemeral, (b) => pane.clickEphemeral(b.id, b.actionId)),
    );
    api.post(
      '/slack/view-click',
      act(bodies.viewClick, (b) => pane.clickInView(b.viewId, b.actionId, b.value)),
    );
    api.post(
      '/slack/submit',
      act(bodies.submit, (b) => pane.submit(b.viewId, b.inputs)),
    );
    api.post(
      '/slack/close',
      act(bodies.close, (b) => pane.close(b.viewId)),
    );
    api.post(
      '/slack/write',
      act(bodies.write, (b) => pane.write(b.channel, b.text, b.threadTs)),
    );
    api.post(
      '/slack/home',
      act(z.object({}), () => pane.openHome()),
    );
    api.post(
      '/x/tweet',
      act(bodies.tweet, (b) => people.tweet(b.username, b.text, b.inReplyTo)),
    );
    api.post(
      '/x/dm',
      act(bodies.dm, (b) => people.dm(b.username, b.text)),
    );
    api.post(
      '/discord/message',
      act(bodies.discord, (b) => people.discord(b.username, b.text, b.where, b.attachment)),
    );
    // The story runs on its own; the page follows it through the live feed.
    api.post(
      '/scenario/play',
      act(z.object({}), () => void scenario.play()),
    );
    app.use('/sandbox/api', api);
    app.use('/sandbox', express.static(fileURLToPath(new URL('./public/', import.meta.url))));
    app.get('/', (_req, res) => res.redirect('/sandbox/'));
  };
}
