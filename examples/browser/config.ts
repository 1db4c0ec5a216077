/** What the demo server hands the page at `GET /config.json`: the emulator to zip on. */
export interface WebDemoConfig {
  /** The emulator's base URL (another origin than the page, so every call is cross-origin). */
  readonly apiUrl: string;
  /** The demo user's auth token: served to the page, never put in a URL. */
  readonly auth: string;
  /** The seeded folder to zip. */
  readonly folderid: number;
  /** Its path, for the page's label. */
  readonly folderPath: string;
  /** Where to save the zip. */
  readonly topath: string;
  /** How many files the folder holds, and their total size in bytes. */
  readonly files: number;
  readonly bytes: number;
}

/** Narrows the parsed `/config.json` body; throws naming the first bad field. */
export function parseWebDemoConfig(body: unknown): WebDemoConfig {
  if (typeof body !== 'object' || body === null) throw new TypeError('config.json is not an object');
  const record = body as Record<string, unknown>;
  for (const key of ['apiUrl', 'auth', 'folderPath', 'topath'] as const) {
    if (typeof record[key] !== 'string') throw new TypeError(`config.json: ${key} must be a string`);
  }
  for (const key of ['folderid', 'files', 'bytes'] as const) {
    if (typeof record[key] !== 'number') throw new TypeError(`config.json: ${key} must be a number`);
  }
  return record as unknown as WebDemoConfig;
}
