/** A bearer token, or a function returning a fresh one (a JWT that expires), called before each request. */
export type TokenSource = string | (() => string | Promise<string>);

/** How the client authenticates: an API key (`X-API-Key`), a bearer token (JWT or key), or nothing (tickets). */
export interface Credentials {
  apiKey?: string;
  token?: TokenSource;
}

/** The headers carrying the credential. */
export async function authHeaders(credentials: Credentials): Promise<Record<string, string>> {
  if (credentials.apiKey !== undefined) return { 'x-api-key': credentials.apiKey };
  const token = await bearerToken(credentials);
  return token === undefined ? {} : { authorization: `Bearer ${token}` };
}

/** The bearer token now (a function is called each time). */
export async function bearerToken(credentials: Credentials): Promise<string | undefined> {
  const { token } = credentials;
  return typeof token === 'function' ? await token() : token;
}
