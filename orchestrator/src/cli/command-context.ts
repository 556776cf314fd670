import type { Command } from 'commander';
import { loadCliConfig } from '../config/cli-config.js';
import { ApiClient } from './api-client.js';

export interface GlobalOptions {
  url?: string;
  apiKey?: string;
  json?: boolean;
}

export type Out = (text: string) => void;

export const out: Out = (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);

/** The API client the global options (or the CLI config) point at, and whether to print JSON. */
export async function client(command: Command): Promise<{ api: ApiClient; json: boolean }> {
  const options = command.optsWithGlobals<GlobalOptions>();
  const config = await loadCliConfig();
  return {
    api: new ApiClient({ url: options.url ?? config.url, apiKey: options.apiKey ?? config.apiKey }),
    json: options.json === true,
  };
}
