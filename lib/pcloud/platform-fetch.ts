import type { Credentials } from './credentials.js';

/** A fetch that sends one account's requests over connections no other account uses. */
export type AccountTransport = (credentials: Credentials) => typeof globalThis.fetch;

/**
 * The transport behind requests made without a custom `fetch`. Unset (the page's own `fetch`) in
 * browsers, where the page cannot choose connections; the Node entry sets one connection pool per
 * credential, because pCloud acts as the first account that logged in on a keep-alive connection
 * ("All requests after that will ignore any user credentials passed", api.txt).
 */
let transport: AccountTransport | undefined;

/** Sets the transport for every later call; called once, by the Node entry (lib/node.ts). */
export function setAccountTransport(value: AccountTransport): void {
  transport = value;
}

/** The fetch for one account's requests, or undefined for the platform's own `fetch`. */
export function platformFetch(credentials: Credentials): typeof globalThis.fetch | undefined {
  return transport?.(credentials);
}
