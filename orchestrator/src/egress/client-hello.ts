/** What the first bytes of a connection say about its TLS server name. */
export type ClientHelloResult =
  | { kind: 'incomplete' }
  | { kind: 'not_tls' }
  | { kind: 'malformed'; reason: string }
  | { kind: 'hello'; serverName: string | undefined };

/** A ClientHello larger than this is refused (real ones are a few KiB, post-quantum key shares included). */
export const MAX_CLIENT_HELLO_BYTES = 64 * 1024;

const RECORD_HANDSHAKE = 0x16;
const HANDSHAKE_CLIENT_HELLO = 0x01;
const EXTENSION_SERVER_NAME = 0x0000;
const NAME_TYPE_HOST = 0x00;

/**
 * Reads the server name (SNI) from a TLS ClientHello, which may span several records. Every length is checked
 * against what is there, so hostile bytes yield `malformed`, never an exception or an unbounded wait.
 */
export function parseClientHello(data: Buffer): ClientHelloResult {
  if (data.length === 0) return { kind: 'incomplete' };
  if (data[0] !== RECORD_HANDSHAKE) return { kind: 'not_tls' };
  const fragments: Buffer[] = [];
  let handshakeLength: number | undefined;
  let collected = 0;
  let offset = 0;
  while (handshakeLength === undefined || collected < handshakeLength + 4) {
    if (data.length < offset + 5) return incompleteOrTooBig(data);
    if (data[offset] !== RECORD_HANDSHAKE) return { kind: 'malformed', reason: 'handshake interrupted' };
    if (data[offset + 1] !== 0x03) return { kind: 'malformed', reason: 'not a TLS record version' };
    const recordLength = data.readUInt16BE(offset + 3);
    if (recordLength === 0 || recordLength > 16_384 + 256)
      return { kind: 'malformed', reason: 'bad record length' };
    if (data.length < offset + 5 + recordLength) return incompleteOrTooBig(data);
    const fragment = data.subarray(offset + 5, offset + 5 + recordLength);
    fragments.push(fragment);
    collected += fragment.length;
    offset += 5 + recordLength;
    if (handshakeLength === undefined && collected >= 4) {
      const head = Buffer.concat(fragments);
      if (head[0] !== HANDSHAKE_CLIENT_HELLO) return { kind: 'malformed', reason: 'not a ClientHello' };
      handshakeLength = head.readUIntBE(1, 3);
      if (handshakeLength + 4 > MAX_CLIENT_HELLO_BYTES)
        return { kind: 'malformed', reason: 'ClientHello too large' };
    }
  }
  const hello = Buffer.concat(fragments).subarray(4, 4 + handshakeLength);
  return readServerName(hello);
}

function incompleteOrTooBig(data: Buffer): ClientHelloResult {
  return data.length > MAX_CLIENT_HELLO_BYTES + 5 * 8
    ? { kind: 'malformed', reason: 'ClientHello too large' }
    : { kind: 'incomplete' };
}

function readServerName(hello: Buffer): ClientHelloResult {
  const malformed = (reason: string): ClientHelloResult => ({ kind: 'malformed', reason });
  let p = 2 + 32; // client_version, random
  if (hello.length < p + 1) return malformed('truncated ClientHello');
  p += 1 + (hello[p] ?? 0); // session id
  if (hello.length < p + 2) return malformed('truncated ClientHello');
  p += 2 + hello.readUInt16BE(p); // cipher suites
  if (hello.length < p + 1) return malformed('truncated ClientHello');
  p += 1 + (hello[p] ?? 0); // compression methods
  if (hello.length === p) return { kind: 'hello', serverName: undefined };
  if (hello.length < p + 2) return malformed('truncated extensions');
  const end = p + 2 + hello.readUInt16BE(p);
  if (end > hello.length) return malformed('extensions overrun the ClientHello');
  p += 2;
  let serverName: string | undefined;
  let seen = false;
  while (p + 4 <= end) {
    const type = hello.readUInt16BE(p);
    const length = hello.readUInt16BE(p + 2);
    const body = p + 4;
    if (body + length > end) return malformed('extension overruns the list');
    if (type === EXTENSION_SERVER_NAME) {
      // Two server_name extensions could tell agentd one name and the origin another.
      if (seen) return malformed('duplicate server_name extension');
      seen = true;
      const name = readHostName(hello.subarray(body, body + length));
      if (name === null) return malformed('bad server_name extension');
      serverName = name;
    }
    p = body + length;
  }
  if (p !== end) return malformed('trailing bytes in extensions');
  return { kind: 'hello', serverName };
}

/** The one host_name entry of a server_name extension (null when the list is malformed or has several). */
function readHostName(ext: Buffer): string | null {
  if (ext.length < 2) return null;
  const listEnd = 2 + ext.readUInt16BE(0);
  if (listEnd !== ext.length) return null;
  let p = 2;
  let name: string | null = null;
  while (p + 3 <= listEnd) {
    const type = ext[p];
    const length = ext.readUInt16BE(p + 1);
    if (p + 3 + length > listEnd || length === 0) return null;
    if (type === NAME_TYPE_HOST) {
      if (name !== null) return null;
      const bytes = ext.subarray(p + 3, p + 3 + length);
      if (bytes.some((b) => b < 0x21 || b > 0x7e)) return null;
      name = bytes.toString('ascii');
    }
    p += 3 + length;
  }
  return p === listEnd ? name : null;
}
