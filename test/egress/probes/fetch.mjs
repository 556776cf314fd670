// Fetches each URL given on the command line through the environment's proxy; prints one JSON line each.
for (const url of process.argv.slice(2)) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(20_000) });
    const body = await res.text();
    console.log(JSON.stringify({ url, status: res.status, body: body.slice(0, 300), length: body.length }));
  } catch (err) {
    console.log(JSON.stringify({ url, error: String(err?.cause?.message ?? err?.message ?? err) }));
  }
}
