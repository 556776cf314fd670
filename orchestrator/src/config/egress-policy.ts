import Type, { type Static } from 'typebox';

/** Host patterns: `name`, `*.name`, either with `:port`; checked in depth by egress/egress-policy-issues.ts. */
const HostPattern = Type.String({ minLength: 1, maxLength: 260 });
/** `ip:port`, `ip/prefix:port`, or `[ipv6]/prefix:port`. */
const AddressRule = Type.String({ minLength: 3, maxLength: 64 });

/**
 * Credential injection: for HTTPS requests to `host` (a name or `*.name` that the allow-list also admits),
 * agentd sets `headers`, whose values reference tenant secrets; checked in depth by
 * interception/injection-rule.ts.
 */
const InjectionRuleSchema = Type.Object(
  {
    host: Type.String({ minLength: 1, maxLength: 255 }),
    headers: Type.Record(Type.String({ minLength: 1, maxLength: 64 }), Type.String({ maxLength: 4096 })),
  },
  { additionalProperties: false },
);

/** A sandbox's way out, per tenant (overrides) or per profile (lifecycle policy document). */
export const EgressPolicySchema = Type.Object(
  {
    mode: Type.Union([Type.Literal('none'), Type.Literal('allowlist')]),
    allow: Type.Optional(Type.Array(HostPattern, { maxItems: 500 })),
    deny: Type.Optional(Type.Array(HostPattern, { maxItems: 500 })),
    allowAddresses: Type.Optional(Type.Array(AddressRule, { maxItems: 100 })),
    inject: Type.Optional(Type.Array(InjectionRuleSchema, { maxItems: 32 })),
    /** Connections one sandbox may hold open at once. */
    maxConnections: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
    /** Bytes both ways per run; further connections are refused and open ones closed. */
    maxBytesPerRun: Type.Optional(Type.Integer({ minimum: 1, maximum: 1024 ** 4 })),
    connectTimeout: Type.Optional(
      Type.Union([
        Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?(ms|s|m)?$' }),
        Type.Integer({ minimum: 100, maximum: 120_000 }),
      ]),
    ),
  },
  { additionalProperties: false },
);
export type EgressPolicyDocument = Static<typeof EgressPolicySchema>;

/** The policy a run applies, with every default filled in. */
export interface EgressPolicy {
  mode: 'none' | 'allowlist';
  allow: string[];
  deny: string[];
  allowAddresses: string[];
  inject: { host: string; headers: Record<string, string> }[];
  maxConnections: number;
  maxBytesPerRun: number;
  connectTimeoutMs: number;
}

/**
 * Defaults chosen so one sandbox cannot crowd out the call-home server's other connections (see
 * EGRESS_MAX_CONNECTIONS_CEILING) and a runaway download stops at 1 GiB.
 */
export const EGRESS_DEFAULTS = {
  maxConnections: 16,
  maxBytesPerRun: 1024 ** 3,
  connectTimeoutMs: 10_000,
} as const;

export const NO_EGRESS: EgressPolicy = {
  mode: 'none',
  allow: [],
  deny: [],
  allowAddresses: [],
  inject: [],
  ...EGRESS_DEFAULTS,
};
