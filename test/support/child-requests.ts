/**
 * The child's side of test/support/fleet.ts: requests from the parent are handled one at a time, in
 * the order sent, each answered by its id (an error by its stack); id 0 says the child is ready.
 * After `stop` is answered, the channel is let go so the child can exit.
 */
export function answerRequests<R extends { id: number; type: string }>(handle: (request: R) => Promise<unknown>): void {
  let queue: Promise<unknown> = Promise.resolve();
  process.on('message', (request: R) => {
    queue = queue.then(async () => {
      try {
        process.send!({ id: request.id, ok: true, value: await handle(request) });
      } catch (error) {
        process.send!({ id: request.id, ok: false, error: String((error as Error)?.stack ?? error) });
      }
      if (request.type === 'stop') process.disconnect();
    });
  });
  process.send!({ id: 0, ok: true, value: 'ready' });
}
