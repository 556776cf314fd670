import { execFileSync } from 'node:child_process';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { bashCompletion } from './completion.js';

function program(): Command {
  const root = new Command('agentd').option('--url <url>');
  root.command('serve');
  const image = root.command('image');
  image.command('build').option('--force').option('--agentd');
  root.command('sandboxes').command('ls').option('--all');
  return root;
}

/** Sources the script in a real bash and asks for the completions of `line` (the cursor at its end). */
function complete(script: string, line: string): string[] {
  const words = line.split(' ');
  const driver = `${script}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})
COMP_CWORD=${words.length - 1}
_agentd
printf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync('bash', ['--norc', '-c', driver], { encoding: 'utf8' }).split('\n').filter(Boolean);
}

describe('bashCompletion', () => {
  const script = bashCompletion(program());

  it('completes top-level commands and options', () => {
    expect(complete(script, 'agentd ')).toEqual(
      expect.arrayContaining(['serve', 'image', 'sandboxes', '--url', '--help']),
    );
    expect(complete(script, 'agentd se')).toEqual(['serve']);
  });

  it('completes a subcommand and its options, skipping options and values typed in between', () => {
    expect(complete(script, 'agentd image b')).toEqual(['build']);
    expect(complete(script, 'agentd --url http://x image build --')).toEqual([
      '--force',
      '--agentd',
      '--help',
    ]);
    expect(complete(script, 'agentd sandboxes ls --a')).toEqual(['--all']);
  });

  it('registers itself for the agentd command', () => {
    expect(
      execFileSync('bash', ['--norc', '-c', `${script}\ncomplete -p agentd`], { encoding: 'utf8' }),
    ).toContain('-F _agentd agentd');
  });
});
