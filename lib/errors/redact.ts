/**
 * Credential scrubbing for anything that may end up in an error message or a log line.
 * Servers sometimes echo parameters back; a token must never travel further than the wire.
 */

export const REDACTED = '[redacted]';

/** Replaces every occurrence of each secret (raw and URL-encoded) in `text`. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)])) {
      out = out.split(form).join(REDACTED);
    }
  }
  return out;
}

/** A short, single-line, scrubbed excerpt of a response body for error messages. */
export function excerpt(body: string, secrets: readonly (string | undefined)[], max = 120): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  // Redact before cutting, so a secret straddling the cut cannot leak half of itself.
  const clean = redact(flat, secrets);
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
