import { Agent } from 'undici';

/**
 * A `fetch` with connections of its own: requests through it never share a socket with another
 * client's, as pCloud binds a keep-alive connection to its first login. `connections: 1` makes
 * every request ride the same single socket (one after another), for specs about that socket.
 */
export interface ClientConnection {
  readonly fetch: (url: string, init?: RequestInit) => Promise<Response>;
  /** Closes the pool's sockets. */
  close(): Promise<void>;
}

export function clientConnection(opts: { readonly connections?: number } = {}): ClientConnection {
  const agent = new Agent({ connections: opts.connections ?? null });
  return {
    // Node 20's fetch takes undici's Agent as its dispatcher; the types come from two undici copies.
    fetch: (url, init = {}) => fetch(url, { ...init, dispatcher: agent } as RequestInit),
    close: () => agent.close(),
  };
}
