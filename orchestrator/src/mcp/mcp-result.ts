import type { ImageFormat, McpCallResult, ToolResultContent } from '@agentd/sandbox-runner/protocol';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

export interface ResultLimits {
  /** UTF-8 bytes of text the model gets (the run's tool output limit). */
  textBytes: number;
  /** Bedrock takes images up to 3.75 MB each. */
  imageBytes: number;
  maxImages: number;
}

const IMAGE_FORMATS: Readonly<Record<string, ImageFormat>> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};
const TRUNCATION_NOTE = '\n[output truncated]';

/** MCP content (text, image, resource, …) as Converse tool-result blocks, cut to the limits. */
export function toCallResult(result: CallToolResult, limits: ResultLimits): McpCallResult {
  const content: ToolResultContent[] = [];
  const notes: string[] = [];
  let textBudget = limits.textBytes;
  let images = 0;
  let truncated = false;
  const addText = (text: string): void => {
    if (text === '') return;
    const bytes = Buffer.byteLength(text);
    if (bytes <= textBudget) {
      textBudget -= bytes;
      content.push({ text });
      notes.push(text);
      return;
    }
    truncated = true;
    const room = Math.max(0, textBudget - Buffer.byteLength(TRUNCATION_NOTE));
    const cut = cutUtf8(text, room) + TRUNCATION_NOTE;
    textBudget = 0;
    content.push({ text: cut });
    notes.push(cut);
  };
  for (const block of result.content) {
    if (textBudget === 0) {
      truncated = true;
      break;
    }
    switch (block.type) {
      case 'text':
        addText(block.text);
        break;
      case 'image': {
        const format = IMAGE_FORMATS[block.mimeType];
        const bytes = Math.floor((block.data.length * 3) / 4);
        if (format && bytes <= limits.imageBytes && images < limits.maxImages) {
          images += 1;
          content.push({ image: { format, source: { bytes: block.data } } });
          notes.push(`[image ${block.mimeType}, ${bytes} bytes]`);
        } else {
          truncated = truncated || bytes > limits.imageBytes || images >= limits.maxImages;
          addText(
            `[image ${block.mimeType} left out: ${format ? 'too large or too many' : 'unsupported format'}]`,
          );
        }
        break;
      }
      case 'resource':
        if ('text' in block.resource) addText(`[resource ${block.resource.uri}]\n${block.resource.text}`);
        else addText(`[resource ${block.resource.uri} (${block.resource.mimeType ?? 'binary'}) left out]`);
        break;
      case 'resource_link':
        addText(`[resource link ${block.uri}${block.description ? `: ${block.description}` : ''}]`);
        break;
      case 'audio':
        addText(`[audio ${block.mimeType} left out]`);
        break;
    }
  }
  if (content.length === 0 && result.structuredContent !== undefined)
    addText(JSON.stringify(result.structuredContent));
  if (content.length === 0) addText(result.isError === true ? 'the tool failed' : '(no output)');
  return { content, output: notes.join('\n'), isError: result.isError === true, truncated };
}

/** A tool error the model sees when the call itself failed (the details go to the log, never to the model). */
export function errorResult(message: string): McpCallResult {
  return { content: [{ text: message }], output: message, isError: true, truncated: false };
}

function cutUtf8(text: string, maxBytes: number): string {
  const buffer = Buffer.from(text);
  if (buffer.length <= maxBytes) return text;
  let end = maxBytes;
  // Back up to a character boundary (continuation bytes are 10xxxxxx).
  while (end > 0 && ((buffer[end] ?? 0) & 0xc0) === 0x80) end--;
  return buffer.subarray(0, end).toString('utf8');
}
