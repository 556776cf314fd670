/**
 * Query parameters that carry credentials: browsers put tickets (and later JWTs) in URLs because EventSource
 * and WebSocket cannot send headers. Their values must never reach a log line, an audit record or an error.
 */
const CREDENTIAL_PARAMS = new Set(['ticket', 'token', 'access_token', 'api_key', 'apikey', 'key']);

export const REDACTED = '[redacted]';

/** The URL (path and query, as a request line carries it) with every credential parameter's value replaced. */
export function redactUrl(url: string): string {
  const start = url.indexOf('?');
  if (start < 0) return url;
  const query = url.slice(start + 1);
  const redacted = query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq < 0 ? pair : pair.slice(0, eq);
      return isCredentialName(rawName) && eq >= 0 ? `${rawName}=${REDACTED}` : pair;
    })
    .join('&');
  return `${url.slice(0, start + 1)}${redacted}`;
}

function isCredentialName(rawName: string): boolean {
  let name = rawName.replaceAll('+', ' ');
  try {
    name = decodeURIComponent(name);
  } catch {
    // A malformed escape: judge the raw name (decoding it is what the query parser would fail on too).
  }
  return CREDENTIAL_PARAMS.has(name.trim().toLowerCase());
}

/** A credential parameter's value from a URL's query, if present (the first one; empty counts as present). */
export function queryCredential(url: string, name: 'ticket' | 'token'): string | undefined {
  const start = url.indexOf('?');
  if (start < 0) return undefined;
  return new URLSearchParams(url.slice(start + 1)).get(name) ?? undefined;
}

/** Whether the URL's query carries any credential parameter at all. */
export function hasQueryCredential(url: string): boolean {
  return redactUrl(url) !== url;
}

const CREDENTIAL_IN_TEXT = /([?&](?:ticket|token|access_token|api_key|apikey|key)=)[^&\s"'#]*/gi;

/** Free text (an error message quoting a URL) with the value of every credential parameter in it replaced. */
export function redactCredentials(text: string): string {
  return text.replace(CREDENTIAL_IN_TEXT, `$1${REDACTED}`);
}
