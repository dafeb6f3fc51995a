// Live updates for the page over Server-Sent Events. The fakes keep plain arrays and have no
// change events, so the snapshot is taken a few times a second and sent only when it changed.
import type { Response } from 'express';

export function liveFeed(take: () => unknown, everyMs = 150) {
  const clients = new Set<Response>();
  let last = '';
  const send = (res: Response, json: string) => res.write(`event: state\ndata: ${json}\n\n`);
  const check = () => {
    const json = JSON.stringify(take());
    if (json === last) return;
    last = json;
    for (const res of clients) send(res, json);
  };
  const timer = setInterval(check, everyMs);

  return {
    /** Takes over the response: the current state now, every change after. */
    subscribe(res: Response) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      res.write('retry: 1000\n\n');
      clients.add(res);
      res.on('close', () => clients.delete(res));
      send(res, last || JSON.stringify(take()));
    },
    /** Right after an action, so the page does not wait for the next round. */
    check,
    /** Ends every stream (an open stream would keep the HTTP server from closing). */
    close() {
      clearInterval(timer);
      for (const res of clients) res.end();
      clients.clear();
    },
  };
}
