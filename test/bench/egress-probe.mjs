// Run inside a sandbox (through the egress proxy) and on the host (directly): one 100 MB download and 200
// small HTTPS requests, each on a new connection. Prints one JSON line.
const base = process.argv[2];
const started = performance.now();
const res = await fetch(`${base}/big`);
let bytes = 0;
for await (const chunk of res.body) bytes += chunk.length;
const downloadMs = performance.now() - started;
const small = [];
for (let i = 0; i < 200; i++) {
  const t = performance.now();
  const r = await fetch(`${base}/small`, { headers: { connection: 'close' } });
  await r.text();
  small.push(performance.now() - t);
}
small.sort((a, b) => a - b);
console.log(
  JSON.stringify({ bytes, downloadMs, smallP50: small[100], smallTotal: small.reduce((a, b) => a + b, 0) }),
);
