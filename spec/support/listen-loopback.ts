import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A test server listening on 127.0.0.1, and how to close it. */
export interface Listening {
  readonly url: string;
  /** Destroys every open connection (keep-alive ones too), then closes the server. */
  readonly close: () => Promise<void>;
}

/**
 * Listens on 127.0.0.1 at a free port (port 0) and tracks connections, so that `close` ends at
 * once instead of waiting for idle keep-alive sockets. Shared by the specs' raw HTTP servers.
 */
export async function listenLoopback(server: Server): Promise<Listening> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}
