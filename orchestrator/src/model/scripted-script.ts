/**
 * The scripted model's behaviour comes from directives in the user message, one per line (README documents
 * them). Lines that are not directives are ignored; a message without directives is echoed.
 */
export type Directive =
  | { kind: 'think'; text: string }
  | { kind: 'say'; text: string }
  | { kind: 'result' }
  | { kind: 'system' }
  | { kind: 'tool'; name: string; input: unknown }
  | { kind: 'error'; message: string }
  | { kind: 'sleep'; ms: number };

/** A model turn: what it streams, and whether it ends by calling tools. */
export interface ScriptTurn {
  directives: Directive[];
  toolCalls: { name: string; input: unknown }[];
}

const MAX_REPEAT = 100_000;
const MAX_SLEEP_MS = 600_000;

export function parseDirectives(message: string): Directive[] | undefined {
  const directives: Directive[] = [];
  for (const raw of message.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('@')) continue;
    const space = line.indexOf(' ');
    const word = (space < 0 ? line : line.slice(0, space)).toLowerCase();
    const rest = space < 0 ? '' : line.slice(space + 1).trim();
    switch (word) {
      case '@think':
        directives.push({ kind: 'think', text: rest });
        break;
      case '@say':
        directives.push({ kind: 'say', text: rest });
        break;
      case '@result':
        directives.push({ kind: 'result' });
        break;
      case '@system':
        directives.push({ kind: 'system' });
        break;
      case '@repeat': {
        const match = /^(\d+)\s+(.*)$/.exec(rest);
        const times = Math.min(Number(match?.[1] ?? 0), MAX_REPEAT);
        if (match) directives.push({ kind: 'say', text: (match[2] ?? '').concat(' ').repeat(times) });
        break;
      }
      case '@tool': {
        const match = /^(\S+)\s*(.*)$/.exec(rest);
        if (!match) break;
        let input: unknown;
        try {
          input = match[2] ? JSON.parse(match[2]) : {};
        } catch {
          input = { unparsable: match[2] };
        }
        directives.push({ kind: 'tool', name: match[1] ?? '', input });
        break;
      }
      case '@error':
        directives.push({ kind: 'error', message: rest || 'scripted model failure' });
        break;
      case '@sleep':
        directives.push({ kind: 'sleep', ms: Math.min(Number(rest) || 0, MAX_SLEEP_MS) });
        break;
      default:
        break;
    }
  }
  return directives.length > 0 ? directives : undefined;
}

/** Splits directives into turns: a turn ends after a run of consecutive `@tool` lines. */
export function splitTurns(directives: readonly Directive[]): ScriptTurn[] {
  const turns: ScriptTurn[] = [];
  let current: ScriptTurn = { directives: [], toolCalls: [] };
  for (let i = 0; i < directives.length; i++) {
    const directive = directives[i];
    if (!directive) continue;
    if (directive.kind === 'tool') {
      current.toolCalls.push({ name: directive.name, input: directive.input });
      if (directives[i + 1]?.kind !== 'tool') {
        turns.push(current);
        current = { directives: [], toolCalls: [] };
      }
      continue;
    }
    current.directives.push(directive);
  }
  turns.push(current);
  return turns;
}
