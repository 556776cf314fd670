import type { Logger } from '../common/logger.js';
import type { AgentdConfig } from '../config/config.js';
import { BedrockProvider } from '../model/bedrock-provider.js';
import type { ModelProvider } from '../model/model-provider.js';
import { ScriptedProvider } from '../model/scripted-provider.js';

/** The model providers by name: the scripted model, Bedrock, and any the caller adds (tests, by name). */
export function modelProviders(
  config: AgentdConfig['models'],
  logger: Logger,
  extra: ReadonlyMap<string, ModelProvider> = new Map(),
): Map<string, ModelProvider> {
  return new Map<string, ModelProvider>([
    ['scripted', new ScriptedProvider({ deltaDelayMs: config.scriptedDeltaDelayMs })],
    [
      'bedrock',
      new BedrockProvider({
        region: config.bedrock.region,
        ...(config.bedrock.endpoint === undefined ? {} : { endpoint: config.bedrock.endpoint }),
        maxAttempts: config.bedrock.maxAttempts,
        logger,
      }),
    ],
    ...extra,
  ]);
}
