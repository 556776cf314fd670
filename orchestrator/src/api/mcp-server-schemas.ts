import Type from 'typebox';
import { IdSchema } from './schemas.js';

const closed = { additionalProperties: false } as const;
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);
const StringMap = (maxProperties: number) =>
  Type.Record(Type.String({ maxLength: 128 }), Type.String({ maxLength: 4096 }), { maxProperties });

/** A server as written; the service checks what a schema cannot (secret references, the URL, names). */
export const McpServerBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 24 }),
    transport: Type.Union([Type.Literal('http'), Type.Literal('stdio')]),
    url: Type.Optional(Nullable(Type.String({ maxLength: 2048 }))),
    headers: Type.Optional(StringMap(32)),
    command: Type.Optional(Nullable(Type.String({ maxLength: 1024 }))),
    args: Type.Optional(Type.Array(Type.String({ maxLength: 4096 }), { maxItems: 64 })),
    env: Type.Optional(StringMap(64)),
    enabled: Type.Optional(Type.Boolean()),
    allowedTools: Type.Optional(
      Nullable(Type.Array(Type.String({ minLength: 1, maxLength: 128 }), { maxItems: 256 })),
    ),
    timeoutMs: Type.Optional(Nullable(Type.Integer({ minimum: 100, maximum: 600_000 }))),
  },
  closed,
);

export const McpServerSchema = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  name: Type.String(),
  transport: Type.String(),
  url: Nullable(Type.String()),
  headers: Type.Record(Type.String(), Type.String(), {
    description: 'Header templates (secret references, never values)',
  }),
  command: Nullable(Type.String()),
  args: Type.Array(Type.String()),
  env: Type.Record(Type.String(), Type.String()),
  enabled: Type.Boolean(),
  allowedTools: Nullable(Type.Array(Type.String())),
  timeoutMs: Nullable(Type.Integer()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const McpCheckSchema = Type.Object({
  tools: Type.Array(
    Type.Object({ name: Type.String(), exposedName: Type.String(), description: Nullable(Type.String()) }),
  ),
  capped: Type.Boolean(),
});

export const McpServerParams = Type.Object({ tenantId: IdSchema, serverId: IdSchema });
