// Talks to the sandbox's proxy directly: SNI mismatch, hostile request heads, floods. Prints one JSON object.
import net from 'node:net';
import tls from 'node:tls';

const [proxyHost, proxyPort] = new URL(process.env.HTTPS_PROXY).host.split(':');
const tlsPort = Number(process.argv[2]);
const httpPort = Number(process.argv[3]);
const out = {};

function exchange(payload, { wait = 5_000 } = {}) {
  return new Promise((resolve) => {
    const socket = net.connect(Number(proxyPort), proxyHost);
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(data || 'timeout');
    }, wait);
    socket.on('connect', () => socket.write(payload));
    socket.on('data', (c) => {
      data += c.toString('latin1');
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(data);
    });
  });
}
const statusOf = (text) => (/^HTTP\/1\.1 (\d{3})/.exec(text) ?? [])[1] ?? text.slice(0, 40);

function tunnel(host, port, servername) {
  return new Promise((resolve) => {
    const socket = net.connect(Number(proxyPort), proxyHost);
    socket.on('error', () => resolve('socket error'));
    socket.once('connect', () =>
      socket.write(`CONNECT ${host}:${port} HTTP/1.1\r\nHost: ${host}:${port}\r\n\r\n`),
    );
    socket.once('data', (head) => {
      if (!head.toString().startsWith('HTTP/1.1 200')) return resolve(`refused ${statusOf(head.toString())}`);
      const secure = tls.connect({ socket, servername, rejectUnauthorized: false });
      secure.on('secureConnect', () => {
        secure.destroy();
        resolve('handshake');
      });
      secure.on('error', (err) => resolve(`tls error: ${err.code ?? err.message}`));
      secure.on('close', () => resolve('closed'));
    });
  });
}

const mode = process.argv[4] ?? 'all';
if (mode === 'sni' || mode === 'all') {
  out.sniMatch = await tunnel('pkgs.egress.test', tlsPort, 'pkgs.egress.test');
  out.sniMismatch = await tunnel('pkgs.egress.test', tlsPort, 'other.egress.test');
}
if (mode === 'flood' || mode === 'all') {
  const slow = [];
  for (let i = 0; i < 20; i++) {
    const s = net.connect(Number(proxyPort), proxyHost);
    s.on('error', () => {});
    s.on('connect', () => s.write('CONNECT pkgs.egress'));
    slow.push(s);
  }
  out.hugeLine = statusOf(
    await exchange(`GET http://pkgs.egress.test:${httpPort}/${'a'.repeat(100_000)} HTTP/1.1\r\n\r\n`),
  );
  out.binary = statusOf(
    await exchange(Buffer.from([0x16, 0x03, 0x01, 0xff, 0xff, 0, 1, 2, 3, 13, 10, 13, 10])),
  );
  out.ipLiteral = statusOf(await exchange(`CONNECT 127.0.0.1:${httpPort} HTTP/1.1\r\n\r\n`));
  out.idn = statusOf(await exchange(`CONNECT bücher.egress.test:443 HTTP/1.1\r\n\r\n`));
  out.trailingDot = statusOf(
    await exchange(
      `GET http://pkgs.egress.test.:${httpPort}/hello HTTP/1.1\r\nHost: pkgs.egress.test.:${httpPort}\r\n\r\n`,
    ),
  );
  const floodCount = Number(process.argv[5] ?? 500);
  const statuses = {};
  for (let i = 0; i < floodCount; i += 50) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(50, floodCount - i) }, () =>
        exchange(`CONNECT blocked.egress.test:443 HTTP/1.1\r\n\r\n`).then(statusOf),
      ),
    );
    for (const s of batch) statuses[s] = (statuses[s] ?? 0) + 1;
  }
  out.flood = statuses;
  const held = await Promise.all(
    Array.from(
      { length: 12 },
      () =>
        new Promise((resolve) => {
          const socket = net.connect(Number(proxyPort), proxyHost);
          socket.on('error', () => resolve({ status: 'error', socket }));
          socket.on('connect', () => socket.write(`CONNECT pkgs.egress.test:${tlsPort} HTTP/1.1\r\n\r\n`));
          socket.once('data', (d) => resolve({ status: statusOf(d.toString()), socket }));
        }),
    ),
  );
  out.concurrent = {};
  for (const h of held) out.concurrent[h.status] = (out.concurrent[h.status] ?? 0) + 1;
  for (const h of held) h.socket.destroy();
  for (const s of slow) s.destroy();
}
console.log(JSON.stringify(out));
