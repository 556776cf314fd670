import Type, { type Static } from 'typebox';
import type {
  ConversationMessage,
  ConverseStreamRequest,
  McpCallRequest,
  RunnerEvent,
} from '@agentd/sandbox-runner/protocol';

/** Runtime schemas for what the runner sends during a run; the checks below keep them in step with the protocol. */
const Id = Type.String({ minLength: 1, maxLength: 128 });
const Step = Type.Integer({ minimum: 1, maximum: 100_000 });
const ToolNameSchema = Type.Union([
  Type.Literal('bash'),
  Type.Literal('read_file'),
  Type.Literal('write_file'),
  Type.Literal('edit_file'),
  Type.Literal('list_files'),
]);
const SeveritySchema = Type.Union([Type.Literal('warning'), Type.Literal('error'), Type.Literal('critical')]);
const closed = { additionalProperties: false } as const;

export const RunnerEventSchema = Type.Union([
  Type.Object({ type: Type.Literal('step_start'), step: Step }, closed),
  Type.Object({ type: Type.Literal('text'), delta: Type.String() }, closed),
  Type.Object({ type: Type.Literal('thinking'), delta: Type.String() }, closed),
  Type.Object(
    { type: Type.Literal('tool_call'), id: Id, name: ToolNameSchema, input: Type.Unknown() },
    closed,
  ),
  Type.Object(
    {
      type: Type.Literal('tool_result'),
      id: Id,
      output: Type.String(),
      isError: Type.Boolean(),
      truncated: Type.Boolean(),
    },
    closed,
  ),
  Type.Object(
    { type: Type.Literal('step_complete'), step: Step, durationMs: Type.Number({ minimum: 0 }) },
    closed,
  ),
  Type.Object({ type: Type.Literal('final'), content: Type.String() }, closed),
  Type.Object(
    {
      type: Type.Literal('error'),
      code: Type.String({ maxLength: 64 }),
      message: Type.String({ maxLength: 8192 }),
      severity: SeveritySchema,
      recoverable: Type.Boolean(),
    },
    closed,
  ),
]);

const TextBlockSchema = Type.Object({ text: Type.String() }, closed);
const ToolUseBlockSchema = Type.Object(
  {
    toolUse: Type.Object(
      { toolUseId: Id, name: Type.String({ maxLength: 128 }), input: Type.Unknown() },
      closed,
    ),
  },
  closed,
);
const ImageBlockSchema = Type.Object(
  {
    image: Type.Object(
      {
        format: Type.Union([
          Type.Literal('png'),
          Type.Literal('jpeg'),
          Type.Literal('gif'),
          Type.Literal('webp'),
        ]),
        source: Type.Object({ bytes: Type.String({ maxLength: 8 * 1024 * 1024 }) }, closed),
      },
      closed,
    ),
  },
  closed,
);
const ToolResultBlockSchema = Type.Object(
  {
    toolResult: Type.Object(
      {
        toolUseId: Id,
        content: Type.Array(Type.Union([TextBlockSchema, ImageBlockSchema]), { maxItems: 16 }),
        status: Type.Union([Type.Literal('success'), Type.Literal('error')]),
      },
      closed,
    ),
  },
  closed,
);
const ReasoningBlockSchema = Type.Object(
  {
    reasoningContent: Type.Object(
      {
        reasoningText: Type.Object({ text: Type.String(), signature: Type.Optional(Type.String()) }, closed),
      },
      closed,
    ),
  },
  closed,
);

export const ConversationMessageSchema = Type.Object(
  {
    role: Type.Union([Type.Literal('user'), Type.Literal('assistant')]),
    content: Type.Array(
      Type.Union([TextBlockSchema, ToolUseBlockSchema, ToolResultBlockSchema, ReasoningBlockSchema]),
      {
        maxItems: 256,
      },
    ),
  },
  closed,
);

export const McpCallRequestSchema = Type.Object(
  { runId: Id, toolUseId: Id, name: Type.String({ minLength: 1, maxLength: 64 }), input: Type.Unknown() },
  closed,
);

export const ConverseStreamRequestSchema = Type.Object(
  { runId: Id, messages: Type.Array(ConversationMessageSchema, { maxItems: 10_000 }) },
  closed,
);

type Assert<T extends true> = T;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export type _RunnerEventMatches = Assert<Same<Static<typeof RunnerEventSchema>, RunnerEvent>>;
export type _MessageMatches = Assert<Same<Static<typeof ConversationMessageSchema>, ConversationMessage>>;
export type _ConverseMatches = Assert<
  Same<Static<typeof ConverseStreamRequestSchema>, ConverseStreamRequest>
>;
export type _McpCallMatches = Assert<Same<Static<typeof McpCallRequestSchema>, McpCallRequest>>;
