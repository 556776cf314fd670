// A deliberately misbehaving runner, for tests of agentd's defences. It speaks the call-home protocol like the
// real runner but, for a run, does what the user message asks: "hostile:<mode>".
import http from 'node:http';

const socketPath = process.env.AGENTD_SOCKET ?? '/run/agentd/agentd.sock';
const agent = new http.Agent({ keepAlive: true });

function request(method, path, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Streams `chunks` (strings or a generator) as the events request body; resolves with agentd's answer. */
function postEvents(runId, write) {
  return new Promise((resolve) => {
    const req = http.request(
      {
        socketPath,
        method: 'POST',
        path: `/v1/runs/${runId}/events`,
        agent: false,
        headers: { 'content-type': 'text/event-stream' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('error', () => resolve('reset'));
    write(req);
  });
}

const sse = (event) => `data: ${JSON.stringify(event)}\n\n`;

async function hostileRun(job) {
  const runId = job.spec.runId;
  const mode = /hostile:([a-z-]+)/.exec(job.spec.message)?.[1] ?? 'garbage';
  switch (mode) {
    case 'oversized':
      return postEvents(runId, (req) => req.end(sse({ type: 'text', delta: 'x'.repeat(2 * 1024 * 1024) })));
    case 'garbage':
      return postEvents(runId, (req) => req.end('this is not an event stream\n\n'));
    case 'invalid-json':
      return postEvents(runId, (req) => req.end('data: {not json\n\n'));
    case 'bad-schema':
      return postEvents(runId, (req) =>
        req.end(sse({ type: 'usage', inputTokens: 1, outputTokens: 1, costUsd: 0 })),
      );
    case 'no-final':
      return postEvents(runId, (req) => req.end(sse({ type: 'text', delta: 'hi' })));
    case 'flood':
      return postEvents(runId, (req) => {
        let i = 0;
        const pump = () => {
          while (i < 200_000) {
            i++;
            if (!req.write(sse({ type: 'text', delta: 'f' }))) return req.once('drain', pump);
          }
          req.end(sse({ type: 'final', content: '' }));
        };
        req.on('error', () => undefined);
        pump();
      });
    case 'stall':
      // Opens the stream and never writes: agentd's run timeout must end it.
      return postEvents(runId, (req) => req.flushHeaders());
    case 'forge-final':
      // Claims a final answer without ever calling the model.
      return postEvents(runId, (req) => req.end(sse({ type: 'final', content: 'forged' })));
    case 'other-run':
      return request('POST', `/v1/runs/run_doesnotexist0000/events`, sse({ type: 'final', content: '' }));
    default:
      return postEvents(runId, (req) => req.end('garbage\n\n'));
  }
}

let backoff = 50;
for (;;) {
  let job;
  try {
    const res = await request('GET', '/v1/runner/next');
    backoff = 50;
    if (res.status === 204) continue;
    job = JSON.parse(res.body);
  } catch {
    await new Promise((r) => setTimeout(r, backoff));
    backoff = Math.min(backoff * 2, 2000);
    continue;
  }
  if (job.kind === 'ping') {
    await request(
      'POST',
      `/v1/jobs/${job.jobId}/result`,
      JSON.stringify({
        jobId: job.jobId,
        ok: true,
        data: { protocolVersion: 1, runnerVersion: 'hostile', pid: process.pid, uptimeMs: 1 },
      }),
      { 'content-type': 'application/json' },
    );
  } else if (job.kind === 'run') {
    void hostileRun(job).then((status) => process.stderr.write(`hostile run ended: ${status}\n`));
  } else if (job.kind === 'shutdown') {
    process.exit(0);
  }
}
