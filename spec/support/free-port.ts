import { createServer } from 'node:net';

/**
 * A TCP port nothing listens on right now (bind 127.0.0.1:0, read it, close), for servers that
 * take a port on their command line (redis-server, WebKitWebDriver) rather than binding port 0.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}
