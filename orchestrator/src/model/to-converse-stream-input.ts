import type {
  ContentBlock,
  ConverseStreamCommandInput,
  Message,
  Tool,
  ToolResultContentBlock,
  ToolUseBlock,
} from '@aws-sdk/client-bedrock-runtime';
import type {
  ContentBlock as AgentdContentBlock,
  ConversationMessage,
  ToolResultContent,
} from '@agentd/sandbox-runner/protocol';
import type { ModelRequest, ToolSpec } from './model-provider.js';

type Document = NonNullable<ToolUseBlock['input']>;

/** The ConverseStream request for a model call (the abort signal travels separately, with `send`). */
export function toConverseStreamInput(request: Omit<ModelRequest, 'signal'>): ConverseStreamCommandInput {
  return {
    modelId: request.modelId,
    messages: request.messages.map(toBedrockMessage),
    // Bedrock rejects a blank system text block, so an empty prompt means none.
    ...(request.system === null || request.system === '' ? {} : { system: [{ text: request.system }] }),
    ...(request.tools.length === 0 ? {} : { toolConfig: { tools: request.tools.map(toBedrockTool) } }),
    inferenceConfig: { maxTokens: request.maxOutputTokens },
  };
}

/** Copies only the fields Converse defines, so nothing else a runner put into a block reaches the model. */
export function toBedrockMessage(message: ConversationMessage): Message {
  return { role: message.role, content: message.content.map(toBedrockContentBlock) };
}

export function toBedrockContentBlock(block: AgentdContentBlock): ContentBlock {
  if ('text' in block) return { text: block.text };
  if ('toolUse' in block) {
    const { toolUseId, name, input } = block.toolUse;
    return { toolUse: { toolUseId, name, input: input as Document } };
  }
  if ('toolResult' in block) {
    const { toolUseId, content, status } = block.toolResult;
    return { toolResult: { toolUseId, content: content.map(toBedrockResultContent), status } };
  }
  const { text, signature } = block.reasoningContent.reasoningText;
  return {
    reasoningContent: { reasoningText: { text, ...(signature === undefined ? {} : { signature }) } },
  };
}

function toBedrockResultContent(block: ToolResultContent): ToolResultContentBlock {
  if ('text' in block) return { text: block.text };
  const { format, source } = block.image;
  return { image: { format, source: { bytes: Buffer.from(source.bytes, 'base64') } } };
}

export function toBedrockTool(spec: ToolSpec): Tool {
  return {
    toolSpec: {
      name: spec.name,
      description: spec.description,
      inputSchema: { json: spec.inputSchema as Document },
    },
  };
}
