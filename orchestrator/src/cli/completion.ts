import type { Command } from 'commander';

/** Every command path (`image build`) with the words that may follow it: its subcommands and its options. */
function commandWords(command: Command, prefix: string[] = [], into = new Map<string, string[]>()) {
  const words = [
    ...command.commands.map((c) => c.name()),
    ...command.options.flatMap((o) => [o.long, o.short].filter((f): f is string => f !== undefined)),
    '--help',
  ];
  into.set(prefix.join(' '), [...new Set(words)]);
  for (const sub of command.commands) commandWords(sub, [...prefix, sub.name()], into);
  return into;
}

/**
 * A bash completion script for the command tree as built (so it never drifts from the commands): the words
 * typed so far that name subcommands select the level; options and values in between are skipped.
 */
export function bashCompletion(program: Command): string {
  const table = commandWords(program);
  const known = [...table.keys()].join('|');
  const cases = [...table]
    .map(([path, words]) => `    ${JSON.stringify(path)}) words=${JSON.stringify(words.join(' '))} ;;`)
    .join('\n');
  return `# agentd bash completion: source it, or save it as /etc/bash_completion.d/agentd
_agentd() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" next word words="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    next="\${path:+$path }$word"
    case "|${known}|" in
      *"|$next|"*) path="$next" ;;
    esac
  done
  case "$path" in
${cases}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _agentd agentd
`;
}
