import type { ToolName } from '@agentd/sandbox-runner/protocol';
import type { ToolSpec } from './model-provider.js';

/** The five runner tools as the model sees them (docs/architecture.md: tools — names and inputs are a contract). */
export const TOOL_SPECS: readonly (ToolSpec & { name: ToolName })[] = [
  {
    name: 'bash',
    description:
      'Run a bash command in /workspace and return its combined stdout and stderr with the exit code. There is no network.',
    inputSchema: {
      type: 'object',
      properties: {
        command: { type: 'string', description: 'The command line, run with bash -c.' },
        timeoutMs: {
          type: 'integer',
          minimum: 1,
          description: 'Timeout in milliseconds (capped by the sandbox policy).',
        },
      },
      required: ['command'],
      additionalProperties: false,
    },
  },
  {
    name: 'read_file',
    description: 'Read a text file under /workspace, optionally a range of lines.',
    inputSchema: {
      type: 'object',
      properties: {
        path: { type: 'string', description: 'Path relative to /workspace.' },
        offset: { type: 'integer', minimum: 1, description: 'First line to return (1-based).' },
        limit: { type: 'integer', minimum: 1, description: 'Number of lines to return.' },
      },
      required: ['path'],
      additionalProperties: false,
    },
  },
  {
    name: 'write_file',
    description: 'Create or overwrite a file under /workspace (parent directories are created).',
    inputSchema: {
      type: 'object',
      properties: {
        path: { type: 'string', description: 'Path relative to /workspace.' },
        content: { type: 'string', description: 'The whole new content.' },
      },
      required: ['path', 'content'],
      additionalProperties: false,
    },
  },
  {
    name: 'edit_file',
    description: 'Replace the one occurrence of oldText with newText in a file under /workspace.',
    inputSchema: {
      type: 'object',
      properties: {
        path: { type: 'string', description: 'Path relative to /workspace.' },
        oldText: { type: 'string', description: 'Text that occurs exactly once in the file.' },
        newText: { type: 'string', description: 'Its replacement.' },
      },
      required: ['path', 'oldText', 'newText'],
      additionalProperties: false,
    },
  },
  {
    name: 'list_files',
    description: 'List files under a directory of /workspace.',
    inputSchema: {
      type: 'object',
      properties: {
        path: { type: 'string', description: 'Directory relative to /workspace (default: the root).' },
        recursive: { type: 'boolean', description: 'List subdirectories too.' },
      },
      additionalProperties: false,
    },
  },
];
