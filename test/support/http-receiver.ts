/**
 * A real HTTP server on a loopback port that records every POST it receives (path and JSON body)
 * and answers 200, or the status codes queued for a path: the far end of webhook and Slack
 * notifications in tests.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface Received {
  readonly path: string;
  readonly body: Record<string, any>;
}

export interface HttpReceiver {
  /** `http://127.0.0.1:<port>` */
  readonly base: string;
  /** What arrived since the last `reset`, in order. */
  readonly received: Received[];
  /** The next requests to `path` get these statuses, in order (then 200). */
  answer(path: string, statuses: readonly number[]): void;
  reset(): void;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => resolve(text));
    request.on('error', reject);
  });
}

export async function startHttpReceiver(): Promise<HttpReceiver> {
  const received: Received[] = [];
  const answers = new Map<string, number[]>();
  const server: Server = createServer(async (request, response) => {
    const path = request.url ?? '/';
    const text = await readBody(request);
    received.push({ path, body: JSON.parse(text) });
    const status = answers.get(path)?.shift() ?? 200;
    response.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'no');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    base: `http://127.0.0.1:${port}`,
    received,
    answer: (path, statuses) => answers.set(path, [...statuses]),
    reset: () => {
      received.length = 0;
      answers.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
