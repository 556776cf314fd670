import { describe, expect, it } from 'vitest';
import { headEnd, parseProxyRequest } from './proxy-request.js';

const head = (text: string) => Buffer.from(text, 'latin1');

describe('parseProxyRequest', () => {
  it('reads CONNECT host:port, IPv6 literals included', () => {
    expect(parseProxyRequest(head('CONNECT pypi.org:443 HTTP/1.1\r\nHost: pypi.org:443\r\n\r\n'))).toEqual({
      kind: 'connect',
      host: 'pypi.org',
      port: 443,
    });
    expect(parseProxyRequest(head('CONNECT [::1]:443 HTTP/1.1\r\n\r\n'))).toMatchObject({ host: '::1' });
    expect(parseProxyRequest(head('CONNECT pypi.org HTTP/1.1\r\n\r\n'))).toMatchObject({
      kind: 'bad',
      status: 400,
    });
    expect(parseProxyRequest(head('CONNECT pypi.org:99999 HTTP/1.1\r\n\r\n'))).toMatchObject({ kind: 'bad' });
  });

  it('rewrites an absolute-URI request to origin form, one request per connection, without proxy headers', () => {
    const parsed = parseProxyRequest(
      head(
        'GET http://files.example.com:8080/a/b?c=1 HTTP/1.1\r\nHost: other\r\nProxy-Authorization: x\r\n' +
          'Proxy-Connection: keep-alive\r\nAccept: */*\r\n\r\n',
      ),
    );
    expect(parsed).toMatchObject({ kind: 'http', host: 'files.example.com', port: 8080 });
    if (parsed.kind !== 'http') return;
    expect(parsed.head.toString()).toBe(
      'GET /a/b?c=1 HTTP/1.1\r\nHost: files.example.com:8080\r\nAccept: */*\r\nConnection: close\r\n\r\n',
    );
  });

  it('refuses what it cannot forward', () => {
    expect(parseProxyRequest(head('GET /relative HTTP/1.1\r\n\r\n'))).toMatchObject({ status: 400 });
    expect(parseProxyRequest(head('GET https://x.example/ HTTP/1.1\r\n\r\n'))).toMatchObject({ status: 400 });
    expect(parseProxyRequest(head('GET http://u:p@x.example/ HTTP/1.1\r\n\r\n'))).toMatchObject({
      status: 400,
    });
    expect(
      parseProxyRequest(head(`GET http://x.example/${'a'.repeat(9000)} HTTP/1.1\r\n\r\n`)),
    ).toMatchObject({
      status: 414,
    });
    expect(parseProxyRequest(head('\x16\x03\x01garbage\r\n\r\n'))).toMatchObject({ status: 400 });
    expect(headEnd(head('GET / HTTP/1.1\r\n'))).toBe(-1);
  });
});
