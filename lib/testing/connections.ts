/**
 * The emulator's TCP connections: a number each, and the account a connection is bound to.
 *
 * pCloud's api.txt: "On a single connection (i.e. keep-alive connection) you need to authenticate
 * successfully just once. All requests after that will ignore any user credentials passed and will
 * use the ones from the successful authentication."
 */
import type { Socket } from 'node:net';
import type { UserState } from './users.js';

/**
 * One accepted socket as the emulator sees it.
 *
 * @example
 * const conn = connections.of(req.socket);
 * conn.bound?.user.userid; // the account every request on it acts as, once bound
 */
export interface Connection {
  /** 1-based, in the order the emulator accepted the sockets. */
  readonly id: number;
  /** The user of the first successful authentication on this connection, once there was one. */
  bound: UserState | undefined;
  /**
   * Takes this request's turn at authentication. Node reads pipelined requests concurrently;
   * pCloud processes them in arrival order, so the first of them decides the binding.
   */
  turn(): Turn;
}

/**
 * One request's turn at authentication on its connection.
 *
 * @example
 * const turn = connection.turn();
 * await turn.ready;
 * // ...authenticate...
 * turn.done();
 */
export interface Turn {
  /** Settles when every earlier request on the connection has had its turn. */
  readonly ready: Promise<void>;
  /** Ends this turn; idempotent. */
  done(): void;
}

/**
 * Every connection of one emulator, numbered as accepted.
 *
 * @example
 * const connections = new Connections();
 * server.on('connection', (socket) => connections.of(socket));
 * connections.of(req.socket).id; // 1 for the first socket
 */
export class Connections {
  #next = 1;
  readonly #bySocket = new WeakMap<Socket, Connection>();

  /** The connection of `socket`, numbered on first sight. */
  of(socket: Socket): Connection {
    let connection = this.#bySocket.get(socket);
    if (connection === undefined) {
      connection = newConnection(this.#next++);
      this.#bySocket.set(socket, connection);
    }
    return connection;
  }
}

function newConnection(id: number): Connection {
  let last: Promise<void> = Promise.resolve();
  return {
    id,
    bound: undefined,
    turn: () => {
      const ready = last;
      let done: () => void = () => undefined;
      const mine = new Promise<void>((resolve) => {
        done = resolve;
      });
      // The next turn waits for this one and every earlier one, even if this one ends first.
      last = Promise.all([ready, mine]).then(() => undefined);
      return { ready, done };
    },
  };
}
