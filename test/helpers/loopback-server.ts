import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake service's HTTP server on 127.0.0.1, on a free port. A handler that throws is a bug of
 * the fake, not an answer: it is reported through `crashed` and the request gets a bare 500.
 */
export class LoopbackServer {
  private server: Server | undefined;

  constructor(
    private readonly serve: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
    private readonly crashed: (req: IncomingMessage, error: unknown) => void,
  ) {}

  /** Starts listening; returns `http://127.0.0.1:<port>` (no trailing slash). */
  async listen(): Promise<string> {
    const server = createServer((req, res) => {
      this.serve(req, res).catch((error: unknown) => {
        this.crashed(req, error);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    // fetch keeps connections alive; close them or close() waits for their idle timeout.
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
  }
}
