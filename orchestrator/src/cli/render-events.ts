/** One SSE event as `agentd run` prints it for a person: text inline, tools and the end on their own lines. */
export function renderEvent(
  event: Record<string, unknown>,
  write: (text: string) => void,
  color: boolean,
): void {
  const short = (value: unknown, max = 200): string => {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    return text.length > max ? `${text.slice(0, max)}…` : text;
  };
  switch (event.type) {
    case 'run_start':
      write(`▶ run ${String(event.runId)} (model ${String(event.modelId)})\n`);
      break;
    case 'step_start':
      write(`\n— step ${String(event.step)}\n`);
      break;
    case 'thinking':
      write(color ? `\x1b[2m${String(event.delta)}\x1b[0m` : String(event.delta));
      break;
    case 'text':
      write(String(event.delta));
      break;
    case 'tool_call':
      write(`\n→ ${String(event.name)} ${short(event.input)}\n`);
      break;
    case 'tool_result':
      write(
        `← ${event.isError === true ? 'error: ' : ''}${short(event.output, 500)}${event.truncated === true ? ' [truncated]' : ''}\n`,
      );
      break;
    case 'step_complete':
      break;
    case 'final':
      write(`\n✔ final answer:\n${String(event.content)}\n`);
      break;
    case 'usage':
      write(
        `tokens in ${String(event.inputTokens)}, out ${String(event.outputTokens)}; cost $${String(event.costUsdExact)}; ${String(event.steps)} step(s)\n`,
      );
      break;
    case 'error':
      write(`\n✖ ${String(event.code)}: ${String(event.message)}\n`);
      break;
    case 'server_shutdown':
      write('\n(the node is shutting down; resume with Last-Event-ID)\n');
      break;
    default:
      write(`\n[${String(event.type)}]\n`);
  }
}

/** Reads an SSE response body, calling `onEvent` with each `data:` object; returns whether `: done` arrived. */
export async function readSse(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: Record<string, unknown>, id: string | undefined) => void,
): Promise<boolean> {
  const decoder = new TextDecoder();
  let buffer = '';
  let done = false;
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    for (let boundary = buffer.indexOf('\n\n'); boundary >= 0; boundary = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      let id: string | undefined;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line === ': done') done = true;
        else if (line.startsWith('id:')) id = line.slice(3).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length > 0) onEvent(JSON.parse(data.join('\n')) as Record<string, unknown>, id);
    }
  }
  return done;
}
