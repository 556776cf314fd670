export interface paths {
  '/agent/query': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Run one turn in a session (created when absent) and return its answer */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            message: string;
            session_id?: string;
          };
        };
      };
      responses: {
        /** @description Default Response */
        '4XX': {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                code: string;
                details?: {
                  [key: string]: unknown;
                };
                message: string;
                recoverable: boolean;
                requestId: string;
                severity: string;
              };
            };
          };
        };
        /** @description Default Response */
        '5XX': {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                code: string;
                details?: {
                  [key: string]: unknown;
                };
                message: string;
                recoverable: boolean;
                requestId: string;
                severity: string;
              };
            };
          };
        };
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error?: {
                code: string;
                message: string;
              };
              response: string | null;
              run_id: string;
              session_id: string;
              status: string;
              truncated: boolean;
              usage: {
                cacheReadTokens: number;
                cacheWriteTokens: number;
                costUsd: number;
                costUsdExact: string;
                inputTokens: number;
                outputTokens: number;
                steps: number;
                /** @enum {string} */
                type: 'usage';
              };
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/agent/query-stream': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Run one turn in a session (created when absent) and stream its events (SSE) */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            message: string;
            session_id?: string;
          };
        };
      };
      responses: {
        /** @description Default Response */
        '4XX': {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                code: string;
                details?: {
                  [key: string]: unknown;
                };
                message: string;
                recoverable: boolean;
                requestId: string;
                severity: string;
              };
            };
          };
        };
        /** @description Default Response */
        '5XX': {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                code: string;
                details?: {
                  [key: string]: unknown;
                };
                message: string;
                recoverable: boolean;
                requestId: string;
                severity: string;
              };
            };
          };
        };
        /** @description A `text/event-stream` of run events */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'text/event-stream':
              | ({
                  conversationId: string;
                  modelId: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'run_start';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  source: 'pool' | 'reuse' | 'cold';
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'allocating';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  step: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'step_start';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  delta: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'text';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  delta: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'thinking';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description The tool use (on WebSocket: the message id; read toolUseId) */
                  id: string;
                  input: unknown;
                  name: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  toolUseId: string;
                  /** @enum {string} */
                  type: 'tool_call';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description The tool use answered (on WebSocket: the message id; read toolUseId) */
                  id: string;
                  isError: boolean;
                  /** @description The tool that ran */
                  name: string;
                  output: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  toolUseId: string;
                  truncated: boolean;
                  /** @enum {string} */
                  type: 'tool_result';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  durationMs: number;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  step: number;
                  stopReason?: string;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'step_complete';
                  usage?: {
                    cacheReadTokens?: number;
                    cacheWriteTokens?: number;
                    inputTokens: number;
                    outputTokens: number;
                  };
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description The whole turn’s text, up to the configured cap */
                  content: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  truncated?: boolean;
                  /** @enum {string} */
                  type: 'final';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  cacheReadTokens: number;
                  cacheWriteTokens: number;
                  costUsd: number;
                  /** @description Exact decimal USD */
                  costUsdExact: string;
                  inputTokens: number;
                  outputTokens: number;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  steps: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'usage';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  code:
                    | 'VALIDATION_FAILED'
                    | 'UNAUTHENTICATED'
                    | 'FORBIDDEN'
                    | 'NOT_FOUND'
                    | 'CONVERSATION_BUSY'
                    | 'RATE_LIMITED'
                    | 'STREAM_LAGGED'
                    | 'CAPACITY_EXHAUSTED'
                    | 'SANDBOX_START_FAILED'
                    | 'SANDBOX_LOST'
                    | 'RUN_TIMEOUT'
                    | 'RUN_CANCELLED'
                    | 'STEP_LIMIT'
                    | 'MODEL_ERROR'
                    | 'CONTEXT_EXHAUSTED'
                    | 'WORKSPACE_LIMIT'
                    | 'WORKSPACE_SYNC_FAILED'
                    | 'RUNNER_PROTOCOL_ERROR'
                    | 'DEPENDENCY_UNAVAILABLE'
                    | 'INTERNAL_ERROR'
                    | 'SECURITY_POSTURE'
                    | 'SANDBOX_LIMIT'
                    | 'CONVERSATION_KIND_MISMATCH'
                    | 'SKILL_LIMIT'
                    | 'EGRESS_DENIED'
                    | 'MCP_ERROR'
                    | 'SECRET_KEY_UNKNOWN';
                  /** @description STREAM_LAGGED: the oldest retained event; resume after firstSeq - 1 */
                  firstSeq?: number;
                  message: string;
                  /** @description STREAM_LAGGED: events this client lost */
                  missed?: number;
                  recoverable: boolean;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq?: number;
                  severity: 'warning' | 'error' | 'critical';
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'error';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  code: string;
                  /** @description SANDBOX_LIMIT: the value read when it was reached */
                  current?: number;
                  /** @description SANDBOX_LIMIT: the limit the sandbox reached */
                  limit?: 'pids' | 'memory' | 'cpu' | 'workspace';
                  /** @description SANDBOX_LIMIT: the limit */
                  max?: number;
                  message: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'warning';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description bytes received from the internet */
                  bytesIn: number;
                  /** @description bytes sent to the internet */
                  bytesOut: number;
                  /** @description egress connections opened */
                  connections: number;
                  /** @description egress connection attempts refused */
                  denied: number;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'egress';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  message: string;
                  runId: string;
                  /** @enum {string} */
                  type: 'server_shutdown';
                } & {
                  [key: string]: unknown;
                });
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/agent/usage/{sessionId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Tokens and cost of every run of a session (a clear keeps them) */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          sessionId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              cache_read_tokens: number;
              cache_write_tokens: number;
              conversation_id: string;
              cost_usd: string;
              input_tokens: number;
              output_tokens: number;
              runs: number;
              session_id: string;
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/nodes': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Live nodes (heartbeats) */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/policies': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The lifecycle policy in force */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    /** Replace the lifecycle policy (validated, applied live, audited) */
    put: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': unknown;
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/pool': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Warm pool of this node */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/reap': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Run one reaper tick now */
    post: {
      parameters: {
        query?: {
          dryRun?: boolean;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/reaps': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Recent removals of the whole fleet (newest first), with reasons, OOM and exit code */
    get: {
      parameters: {
        query?: {
          limit?: number;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/sandboxes': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Every sandbox of the fleet */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/sandboxes/{sandboxId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One sandbox of the fleet */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          sandboxId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    put?: never;
    post?: never;
    /** Force-remove a sandbox (audited) */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          sandboxId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/admin/secrets/rotate': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Re-seal every secret under the current AGENTD_SECRETS_KEY key */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              failed: {
                code: string;
                name: string;
                tenantId: string;
              }[];
              keyId: string;
              resealed: number;
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/audit/egress': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Egress connection attempts (host, port, address, verdict and rule, bytes, duration), paged */
    get: {
      parameters: {
        query?: {
          cursor?: string;
          limit?: number;
          runId?: string;
          tenantId?: string;
          verdict?: 'allowed' | 'denied';
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              items: {
                address: string | null;
                bytesIn: number;
                bytesOut: number;
                conversationId: string;
                /** @description attempts this record stands for (denials in one window are folded) */
                count: number;
                /** Format: date-time */
                createdAt: string;
                durationMs: number;
                host: string;
                id: string;
                port: number;
                reason: string;
                rule: string | null;
                runId: string;
                sandboxId: string;
                /** Format: date-time */
                startedAt: string;
                tenantId: string;
                verdict: string;
              }[];
              nextCursor: string | null;
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/audit/log': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Admin actions, newest first (paged) */
    get: {
      parameters: {
        query?: {
          action?: string;
          actor?: string;
          cursor?: string;
          limit?: number;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              items: {
                action: string;
                actor: string;
                /** Format: date-time */
                createdAt: string;
                details: {
                  [key: string]: unknown;
                };
                id: string;
                person: string | null;
                requestId: string | null;
                target: string;
              }[];
              nextCursor: string | null;
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/audit/profiles': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Each hardening profile with its seccomp and AppArmor contents and SHA-256 */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/audit/sandboxes': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Audit every live sandbox of this node through the engine and the host kernel (JSON or Markdown) */
    get: {
      parameters: {
        query?: {
          format?: 'json' | 'markdown';
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/keys': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** API keys (paged) */
    get: {
      parameters: {
        query?: {
          cursor?: string;
          limit?: number;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              items: {
                /** Format: date-time */
                createdAt: string;
                id: string;
                /** Format: date-time */
                lastUsedAt: string | null;
                name: string;
                prefix: string;
                /** Format: date-time */
                revokedAt: string | null;
                scope: string;
                tenantId: string | null;
              }[];
              nextCursor: string | null;
            };
          };
        };
      };
    };
    put?: never;
    /** Create a key (shown once) */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            name: string;
            scope: 'admin' | 'tenant';
            tenantId?: string | null;
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: date-time */
              createdAt: string;
              id: string;
              /** Format: date-time */
              lastUsedAt: string | null;
              name: string;
              prefix: string;
              /** Format: date-time */
              revokedAt: string | null;
              scope: string;
              tenantId: string | null;
            } & {
              key: string;
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/keys/{keyId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Revoke a key */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          keyId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: date-time */
              createdAt: string;
              id: string;
              /** Format: date-time */
              lastUsedAt: string | null;
              name: string;
              prefix: string;
              /** Format: date-time */
              revokedAt: string | null;
              scope: string;
              tenantId: string | null;
            };
          };
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/models': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Models (paged) */
    get: {
      parameters: {
        query?: {
          cursor?: string;
          limit?: number;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              items: {
                bedrockModelId: string | null;
                cacheReadPricePerMTok: string;
                cacheWritePricePerMTok: string;
                /** Format: date-time */
                createdAt: string;
                enabled: boolean;
                id: string;
                inputPricePerMTok: string;
                maxOutputTokens: number;
                name: string;
                outputPricePerMTok: string;
                provider: string;
                /** Format: date-time */
                updatedAt: string;
              }[];
              nextCursor: string | null;
            };
          };
        };
      };
    };
    put?: never;
    /** Add a model */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            bedrockModelId?: string | null;
            cacheReadPricePerMTok?: string | number;
            cacheWritePricePerMTok?: string | number;
            enabled?: boolean;
            id?: string;
            inputPricePerMTok: string | number;
            maxOutputTokens?: number;
            name: string;
            outputPricePerMTok: string | number;
            provider: 'bedrock' | 'scripted';
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              bedrockModelId: string | null;
              cacheReadPricePerMTok: string;
              cacheWritePricePerMTok: string;
              /** Format: date-time */
              createdAt: string;
              enabled: boolean;
              id: string;
              inputPricePerMTok: string;
              maxOutputTokens: number;
              name: string;
              outputPricePerMTok: string;
              provider: string;
              /** Format: date-time */
              updatedAt: string;
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/models/{modelId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One model */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          modelId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              bedrockModelId: string | null;
              cacheReadPricePerMTok: string;
              cacheWritePricePerMTok: string;
              /** Format: date-time */
              createdAt: string;
              enabled: boolean;
              id: string;
              inputPricePerMTok: string;
              maxOutputTokens: number;
              name: string;
              outputPricePerMTok: string;
              provider: string;
              /** Format: date-time */
              updatedAt: string;
            };
          };
        };
      };
    };
    /** Change a model */
    put: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          modelId: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            bedrockModelId?: string | null;
            cacheReadPricePerMTok?: string | number;
            cacheWritePricePerMTok?: string | number;
            enabled?: boolean;
            inputPricePerMTok?: string | number;
            maxOutputTokens?: number;
            name?: string;
            outputPricePerMTok?: string | number;
            provider?: 'bedrock' | 'scripted';
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              bedrockModelId: string | null;
              cacheReadPricePerMTok: string;
              cacheWritePricePerMTok: string;
              /** Format: date-time */
              createdAt: string;
              enabled: boolean;
              id: string;
              inputPricePerMTok: string;
              maxOutputTokens: number;
              name: string;
              outputPricePerMTok: string;
              provider: string;
              /** Format: date-time */
              updatedAt: string;
            };
          };
        };
      };
    };
    post?: never;
    /** Delete a model */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          modelId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        204: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/tenants': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Tenants (paged) */
    get: {
      parameters: {
        query?: {
          cursor?: string;
          limit?: number;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              items: {
                /** Format: date-time */
                createdAt: string;
                defaultModelId: string | null;
                id: string;
                name: string;
                policy: {
                  allowedModelIds?: string[];
                  egress?: {
                    allow?: string[];
                    allowAddresses?: string[];
                    connectTimeout?: string | number;
                    deny?: string[];
                    inject?: {
                      headers: {
                        [key: string]: string;
                      };
                      host: string;
                    }[];
                    maxBytesPerRun?: number;
                    maxConnections?: number;
                    mode: 'none' | 'allowlist';
                  };
                  idleProcesses?: 'freeze' | 'kill' | 'keep';
                  limits?: {
                    fsizeBytes?: number;
                    memoryBytes?: number;
                    nanoCpus?: number;
                    nofile?: number;
                    nproc?: number;
                    pidsLimit?: number;
                    shmBytes?: number;
                    tmpBytes?: number;
                    workspaceBytes?: number;
                  };
                  maxSandboxes?: number;
                  maxStepsPerRun?: number;
                  profile?: string;
                  rateLimitPerPeriod?: number;
                  runTimeoutMs?: number;
                };
                systemPrompt: string | null;
                /** Format: date-time */
                updatedAt: string;
              }[];
              nextCursor: string | null;
            };
          };
        };
      };
    };
    put?: never;
    /** Create a tenant */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            defaultModelId?: string | null;
            name: string;
            policy?: {
              allowedModelIds?: string[];
              egress?: {
                allow?: string[];
                allowAddresses?: string[];
                connectTimeout?: string | number;
                deny?: string[];
                inject?: {
                  headers: {
                    [key: string]: string;
                  };
                  host: string;
                }[];
                maxBytesPerRun?: number;
                maxConnections?: number;
                mode: 'none' | 'allowlist';
              };
              idleProcesses?: 'freeze' | 'kill' | 'keep';
              limits?: {
                fsizeBytes?: number;
                memoryBytes?: number;
                nanoCpus?: number;
                nofile?: number;
                nproc?: number;
                pidsLimit?: number;
                shmBytes?: number;
                tmpBytes?: number;
                workspaceBytes?: number;
              };
              maxSandboxes?: number;
              maxStepsPerRun?: number;
              profile?: string;
              rateLimitPerPeriod?: number;
              runTimeoutMs?: number;
            };
            systemPrompt?: string | null;
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: date-time */
              createdAt: string;
              defaultModelId: string | null;
              id: string;
              name: string;
              policy: {
                allowedModelIds?: string[];
                egress?: {
                  allow?: string[];
                  allowAddresses?: string[];
                  connectTimeout?: string | number;
                  deny?: string[];
                  inject?: {
                    headers: {
                      [key: string]: string;
                    };
                    host: string;
                  }[];
                  maxBytesPerRun?: number;
                  maxConnections?: number;
                  mode: 'none' | 'allowlist';
                };
                idleProcesses?: 'freeze' | 'kill' | 'keep';
                limits?: {
                  fsizeBytes?: number;
                  memoryBytes?: number;
                  nanoCpus?: number;
                  nofile?: number;
                  nproc?: number;
                  pidsLimit?: number;
                  shmBytes?: number;
                  tmpBytes?: number;
                  workspaceBytes?: number;
                };
                maxSandboxes?: number;
                maxStepsPerRun?: number;
                profile?: string;
                rateLimitPerPeriod?: number;
                runTimeoutMs?: number;
              };
              systemPrompt: string | null;
              /** Format: date-time */
              updatedAt: string;
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/tenants/{tenantId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One tenant */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: date-time */
              createdAt: string;
              defaultModelId: string | null;
              id: string;
              name: string;
              policy: {
                allowedModelIds?: string[];
                egress?: {
                  allow?: string[];
                  allowAddresses?: string[];
                  connectTimeout?: string | number;
                  deny?: string[];
                  inject?: {
                    headers: {
                      [key: string]: string;
                    };
                    host: string;
                  }[];
                  maxBytesPerRun?: number;
                  maxConnections?: number;
                  mode: 'none' | 'allowlist';
                };
                idleProcesses?: 'freeze' | 'kill' | 'keep';
                limits?: {
                  fsizeBytes?: number;
                  memoryBytes?: number;
                  nanoCpus?: number;
                  nofile?: number;
                  nproc?: number;
                  pidsLimit?: number;
                  shmBytes?: number;
                  tmpBytes?: number;
                  workspaceBytes?: number;
                };
                maxSandboxes?: number;
                maxStepsPerRun?: number;
                profile?: string;
                rateLimitPerPeriod?: number;
                runTimeoutMs?: number;
              };
              systemPrompt: string | null;
              /** Format: date-time */
              updatedAt: string;
            };
          };
        };
      };
    };
    /** Change a tenant (name, policy) */
    put: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            defaultModelId?: string | null;
            name?: string;
            policy?: {
              allowedModelIds?: string[];
              egress?: {
                allow?: string[];
                allowAddresses?: string[];
                connectTimeout?: string | number;
                deny?: string[];
                inject?: {
                  headers: {
                    [key: string]: string;
                  };
                  host: string;
                }[];
                maxBytesPerRun?: number;
                maxConnections?: number;
                mode: 'none' | 'allowlist';
              };
              idleProcesses?: 'freeze' | 'kill' | 'keep';
              limits?: {
                fsizeBytes?: number;
                memoryBytes?: number;
                nanoCpus?: number;
                nofile?: number;
                nproc?: number;
                pidsLimit?: number;
                shmBytes?: number;
                tmpBytes?: number;
                workspaceBytes?: number;
              };
              maxSandboxes?: number;
              maxStepsPerRun?: number;
              profile?: string;
              rateLimitPerPeriod?: number;
              runTimeoutMs?: number;
            };
            systemPrompt?: string | null;
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: date-time */
              createdAt: string;
              defaultModelId: string | null;
              id: string;
              name: string;
              policy: {
                allowedModelIds?: string[];
                egress?: {
                  allow?: string[];
                  allowAddresses?: string[];
                  connectTimeout?: string | number;
                  deny?: string[];
                  inject?: {
                    headers: {
                      [key: string]: string;
                    };
                    host: string;
                  }[];
                  maxBytesPerRun?: number;
                  maxConnections?: number;
                  mode: 'none' | 'allowlist';
                };
                idleProcesses?: 'freeze' | 'kill' | 'keep';
                limits?: {
                  fsizeBytes?: number;
                  memoryBytes?: number;
                  nanoCpus?: number;
                  nofile?: number;
                  nproc?: number;
                  pidsLimit?: number;
                  shmBytes?: number;
                  tmpBytes?: number;
                  workspaceBytes?: number;
                };
                maxSandboxes?: number;
                maxStepsPerRun?: number;
                profile?: string;
                rateLimitPerPeriod?: number;
                runTimeoutMs?: number;
              };
              systemPrompt: string | null;
              /** Format: date-time */
              updatedAt: string;
            };
          };
        };
      };
    };
    post?: never;
    /** Delete a tenant (?force=true with its conversations) */
    delete: {
      parameters: {
        query?: {
          force?: boolean;
        };
        header?: never;
        path: {
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        204: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/tenants/{tenantId}/conversations': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Conversations of a tenant (paged) */
    get: {
      parameters: {
        query?: {
          cursor?: string;
          /** @description `chat`: a simple chat, run without a sandbox or tools */
          kind?: 'conversation' | 'chat';
          limit?: number;
          status?: 'active' | 'archived';
          userId?: string;
        };
        header?: never;
        path: {
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              items: {
                /** Format: date-time */
                archivedAt: string | null;
                /** Format: date-time */
                createdAt: string;
                /** Format: date-time */
                historyClearedAt: string | null;
                id: string;
                /** @description `chat`: a simple chat, run without a sandbox or tools */
                kind: 'conversation' | 'chat';
                /** Format: date-time */
                lastRunAt: string | null;
                mcpServers: string[] | null;
                modelId: string;
                profile: string | null;
                sessionId: string | null;
                status: string;
                systemPrompt: string | null;
                tenantId: string;
                title: string | null;
                /** Format: date-time */
                updatedAt: string;
                userId: string | null;
                workspaceEnabled: boolean;
                workspaceVersion: number;
              }[];
              nextCursor: string | null;
            };
          };
        };
      };
    };
    put?: never;
    /** Create a conversation */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description `chat`: a simple chat, run without a sandbox or tools */
            kind?: 'conversation' | 'chat';
            mcpServers?: string[] | null;
            modelId?: string;
            profile?: string | null;
            skills?: string[] | null;
            systemPrompt?: string | null;
            title?: string | null;
            userId?: string | null;
            workspaceEnabled?: boolean;
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: date-time */
              archivedAt: string | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              historyClearedAt: string | null;
              id: string;
              /** @description `chat`: a simple chat, run without a sandbox or tools */
              kind: 'conversation' | 'chat';
              /** Format: date-time */
              lastRunAt: string | null;
              mcpServers: string[] | null;
              modelId: string;
              profile: string | null;
              sessionId: string | null;
              status: string;
              systemPrompt: string | null;
              tenantId: string;
              title: string | null;
              /** Format: date-time */
              updatedAt: string;
              userId: string | null;
              workspaceEnabled: boolean;
              workspaceVersion: number;
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/tenants/{tenantId}/conversations/{conversationId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One conversation */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          conversationId: string;
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: date-time */
              archivedAt: string | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              historyClearedAt: string | null;
              id: string;
              /** @description `chat`: a simple chat, run without a sandbox or tools */
              kind: 'conversation' | 'chat';
              /** Format: date-time */
              lastRunAt: string | null;
              mcpServers: string[] | null;
              modelId: string;
              profile: string | null;
              sessionId: string | null;
              status: string;
              systemPrompt: string | null;
              tenantId: string;
              title: string | null;
              /** Format: date-time */
              updatedAt: string;
              userId: string | null;
              workspaceEnabled: boolean;
              workspaceVersion: number;
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    /** Delete a conversation, its sandbox and its workspace */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          conversationId: string;
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        204: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/tenants/{tenantId}/conversations/{conversationId}/archive': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Archive a conversation (no new runs) */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          conversationId: string;
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: date-time */
              archivedAt: string | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              historyClearedAt: string | null;
              id: string;
              /** @description `chat`: a simple chat, run without a sandbox or tools */
              kind: 'conversation' | 'chat';
              /** Format: date-time */
              lastRunAt: string | null;
              mcpServers: string[] | null;
              modelId: string;
              profile: string | null;
              sessionId: string | null;
              status: string;
              systemPrompt: string | null;
              tenantId: string;
              title: string | null;
              /** Format: date-time */
              updatedAt: string;
              userId: string | null;
              workspaceEnabled: boolean;
              workspaceVersion: number;
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/tenants/{tenantId}/conversations/{conversationId}/clear': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Clear the history (the next run starts afresh; workspace, messages and usage stay) */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          conversationId: string;
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: date-time */
              archivedAt: string | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              historyClearedAt: string | null;
              id: string;
              /** @description `chat`: a simple chat, run without a sandbox or tools */
              kind: 'conversation' | 'chat';
              /** Format: date-time */
              lastRunAt: string | null;
              mcpServers: string[] | null;
              modelId: string;
              profile: string | null;
              sessionId: string | null;
              status: string;
              systemPrompt: string | null;
              tenantId: string;
              title: string | null;
              /** Format: date-time */
              updatedAt: string;
              userId: string | null;
              workspaceEnabled: boolean;
              workspaceVersion: number;
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/tenants/{tenantId}/conversations/{conversationId}/messages': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Messages of a conversation, oldest first (paged) */
    get: {
      parameters: {
        query?: {
          cursor?: string;
          limit?: number;
        };
        header?: never;
        path: {
          conversationId: string;
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              items: {
                content: unknown[];
                conversationId: string;
                /** Format: date-time */
                createdAt: string;
                id: string;
                inputTokens: number;
                outputTokens: number;
                role: string;
                runId: string | null;
                seq: number;
              }[];
              nextCursor: string | null;
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/tenants/{tenantId}/conversations/{conversationId}/query': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Run one agent turn and return its final answer and usage */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          conversationId: string;
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            message: string;
          };
        };
      };
      responses: {
        /** @description Default Response */
        '4XX': {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                code: string;
                details?: {
                  [key: string]: unknown;
                };
                message: string;
                recoverable: boolean;
                requestId: string;
                severity: string;
              };
            };
          };
        };
        /** @description Default Response */
        '5XX': {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                code: string;
                details?: {
                  [key: string]: unknown;
                };
                message: string;
                recoverable: boolean;
                requestId: string;
                severity: string;
              };
            };
          };
        };
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error?: {
                code: string;
                message: string;
                recoverable: boolean;
                severity: string;
                /** @enum {string} */
                type: 'error';
              };
              /** @description The whole turn’s text (every step), cut at AGENTD_FINAL_MAX_CHARS; null unless succeeded */
              final: string | null;
              runId: string;
              status: 'succeeded' | 'failed' | 'cancelled' | 'interrupted';
              truncated: boolean;
              usage: {
                cacheReadTokens: number;
                cacheWriteTokens: number;
                costUsd: number;
                costUsdExact: string;
                inputTokens: number;
                outputTokens: number;
                steps: number;
                /** @enum {string} */
                type: 'usage';
              };
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/tenants/{tenantId}/conversations/{conversationId}/runs/{runId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One run: status, outcome, usage */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          conversationId: string;
          runId: string;
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              cacheReadTokens: number;
              cacheWriteTokens: number;
              conversationId: string;
              costUsd: string;
              createdAt: string;
              errorCode: string | null;
              errorMessage: string | null;
              finishedAt: string | null;
              id: string;
              inputTokens: number;
              modelId: string;
              nodeId: string;
              outputTokens: number;
              /** @description What the run used of its sandbox, from the host (null before the end or when unmeasured) */
              resources: {
                /** @description Workspace file bytes synced in and out */
                bytesSynced: number;
                cpuSeconds: number;
                peakMemoryBytes: number;
                peakPids: number;
              } | null;
              sandboxId: string | null;
              startedAt: string | null;
              status: string;
              steps: number;
              tenantId: string;
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/tenants/{tenantId}/conversations/{conversationId}/runs/{runId}/cancel': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Cancel a run (from any node) */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          conversationId: string;
          runId: string;
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/tenants/{tenantId}/conversations/{conversationId}/runs/{runId}/events': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Resume a run’s event stream after Last-Event-ID */
    get: {
      parameters: {
        query?: {
          /** @description Used when the Last-Event-ID header is absent */
          lastEventId?: string;
        };
        header?: {
          /** @description The `id:` of the last event received (EventSource sends it on reconnect); events after it are replayed */
          'last-event-id'?: string;
        };
        path: {
          conversationId: string;
          runId: string;
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        '4XX': {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                code: string;
                details?: {
                  [key: string]: unknown;
                };
                message: string;
                recoverable: boolean;
                requestId: string;
                severity: string;
              };
            };
          };
        };
        /** @description Default Response */
        '5XX': {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                code: string;
                details?: {
                  [key: string]: unknown;
                };
                message: string;
                recoverable: boolean;
                requestId: string;
                severity: string;
              };
            };
          };
        };
        /** @description A `text/event-stream` of run events */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'text/event-stream':
              | ({
                  conversationId: string;
                  modelId: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'run_start';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  source: 'pool' | 'reuse' | 'cold';
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'allocating';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  step: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'step_start';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  delta: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'text';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  delta: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'thinking';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description The tool use (on WebSocket: the message id; read toolUseId) */
                  id: string;
                  input: unknown;
                  name: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  toolUseId: string;
                  /** @enum {string} */
                  type: 'tool_call';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description The tool use answered (on WebSocket: the message id; read toolUseId) */
                  id: string;
                  isError: boolean;
                  /** @description The tool that ran */
                  name: string;
                  output: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  toolUseId: string;
                  truncated: boolean;
                  /** @enum {string} */
                  type: 'tool_result';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  durationMs: number;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  step: number;
                  stopReason?: string;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'step_complete';
                  usage?: {
                    cacheReadTokens?: number;
                    cacheWriteTokens?: number;
                    inputTokens: number;
                    outputTokens: number;
                  };
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description The whole turn’s text, up to the configured cap */
                  content: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  truncated?: boolean;
                  /** @enum {string} */
                  type: 'final';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  cacheReadTokens: number;
                  cacheWriteTokens: number;
                  costUsd: number;
                  /** @description Exact decimal USD */
                  costUsdExact: string;
                  inputTokens: number;
                  outputTokens: number;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  steps: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'usage';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  code:
                    | 'VALIDATION_FAILED'
                    | 'UNAUTHENTICATED'
                    | 'FORBIDDEN'
                    | 'NOT_FOUND'
                    | 'CONVERSATION_BUSY'
                    | 'RATE_LIMITED'
                    | 'STREAM_LAGGED'
                    | 'CAPACITY_EXHAUSTED'
                    | 'SANDBOX_START_FAILED'
                    | 'SANDBOX_LOST'
                    | 'RUN_TIMEOUT'
                    | 'RUN_CANCELLED'
                    | 'STEP_LIMIT'
                    | 'MODEL_ERROR'
                    | 'CONTEXT_EXHAUSTED'
                    | 'WORKSPACE_LIMIT'
                    | 'WORKSPACE_SYNC_FAILED'
                    | 'RUNNER_PROTOCOL_ERROR'
                    | 'DEPENDENCY_UNAVAILABLE'
                    | 'INTERNAL_ERROR'
                    | 'SECURITY_POSTURE'
                    | 'SANDBOX_LIMIT'
                    | 'CONVERSATION_KIND_MISMATCH'
                    | 'SKILL_LIMIT'
                    | 'EGRESS_DENIED'
                    | 'MCP_ERROR'
                    | 'SECRET_KEY_UNKNOWN';
                  /** @description STREAM_LAGGED: the oldest retained event; resume after firstSeq - 1 */
                  firstSeq?: number;
                  message: string;
                  /** @description STREAM_LAGGED: events this client lost */
                  missed?: number;
                  recoverable: boolean;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq?: number;
                  severity: 'warning' | 'error' | 'critical';
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'error';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  code: string;
                  /** @description SANDBOX_LIMIT: the value read when it was reached */
                  current?: number;
                  /** @description SANDBOX_LIMIT: the limit the sandbox reached */
                  limit?: 'pids' | 'memory' | 'cpu' | 'workspace';
                  /** @description SANDBOX_LIMIT: the limit */
                  max?: number;
                  message: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'warning';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description bytes received from the internet */
                  bytesIn: number;
                  /** @description bytes sent to the internet */
                  bytesOut: number;
                  /** @description egress connections opened */
                  connections: number;
                  /** @description egress connection attempts refused */
                  denied: number;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'egress';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  message: string;
                  runId: string;
                  /** @enum {string} */
                  type: 'server_shutdown';
                } & {
                  [key: string]: unknown;
                });
          };
        };
        /** @description The run has ended and Last-Event-ID is at or past its last event: nothing more will come */
        204: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/tenants/{tenantId}/conversations/{conversationId}/runs/{runId}/tickets': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** A ticket for this run’s event stream (`GET …/events?ticket=`), until the run ends plus the grace */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          conversationId: string;
          runId: string;
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        '4XX': {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                code: string;
                details?: {
                  [key: string]: unknown;
                };
                message: string;
                recoverable: boolean;
                requestId: string;
                severity: string;
              };
            };
          };
        };
        /** @description Default Response */
        '5XX': {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                code: string;
                details?: {
                  [key: string]: unknown;
                };
                message: string;
                recoverable: boolean;
                requestId: string;
                severity: string;
              };
            };
          };
        };
        /** @description Default Response */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              conversationId: string;
              /** Format: date-time */
              expiresAt: string;
              /** @description Names the ticket for revocation */
              id: string;
              kind: 'conversation' | 'run';
              runId?: string;
              /** @description The credential itself, for `?ticket=`; shown once */
              ticket: string;
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/tenants/{tenantId}/conversations/{conversationId}/skills': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The skills a conversation chose (null: all enabled) */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          conversationId: string;
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              skills: string[] | null;
            };
          };
        };
      };
    };
    /** Choose a subset of the tenant's skills for a conversation (null: all enabled) */
    put: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          conversationId: string;
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            skills?: string[] | null;
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              skills: string[] | null;
            };
          };
        };
      };
    };
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/tenants/{tenantId}/conversations/{conversationId}/stream': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Run one agent turn and stream its events (SSE) */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          conversationId: string;
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            message: string;
          };
        };
      };
      responses: {
        /** @description Default Response */
        '4XX': {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                code: string;
                details?: {
                  [key: string]: unknown;
                };
                message: string;
                recoverable: boolean;
                requestId: string;
                severity: string;
              };
            };
          };
        };
        /** @description Default Response */
        '5XX': {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                code: string;
                details?: {
                  [key: string]: unknown;
                };
                message: string;
                recoverable: boolean;
                requestId: string;
                severity: string;
              };
            };
          };
        };
        /** @description A `text/event-stream` of run events */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'text/event-stream':
              | ({
                  conversationId: string;
                  modelId: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'run_start';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  source: 'pool' | 'reuse' | 'cold';
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'allocating';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  step: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'step_start';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  delta: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'text';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  delta: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'thinking';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description The tool use (on WebSocket: the message id; read toolUseId) */
                  id: string;
                  input: unknown;
                  name: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  toolUseId: string;
                  /** @enum {string} */
                  type: 'tool_call';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description The tool use answered (on WebSocket: the message id; read toolUseId) */
                  id: string;
                  isError: boolean;
                  /** @description The tool that ran */
                  name: string;
                  output: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  toolUseId: string;
                  truncated: boolean;
                  /** @enum {string} */
                  type: 'tool_result';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  durationMs: number;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  step: number;
                  stopReason?: string;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'step_complete';
                  usage?: {
                    cacheReadTokens?: number;
                    cacheWriteTokens?: number;
                    inputTokens: number;
                    outputTokens: number;
                  };
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description The whole turn’s text, up to the configured cap */
                  content: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  truncated?: boolean;
                  /** @enum {string} */
                  type: 'final';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  cacheReadTokens: number;
                  cacheWriteTokens: number;
                  costUsd: number;
                  /** @description Exact decimal USD */
                  costUsdExact: string;
                  inputTokens: number;
                  outputTokens: number;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  steps: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'usage';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  code:
                    | 'VALIDATION_FAILED'
                    | 'UNAUTHENTICATED'
                    | 'FORBIDDEN'
                    | 'NOT_FOUND'
                    | 'CONVERSATION_BUSY'
                    | 'RATE_LIMITED'
                    | 'STREAM_LAGGED'
                    | 'CAPACITY_EXHAUSTED'
                    | 'SANDBOX_START_FAILED'
                    | 'SANDBOX_LOST'
                    | 'RUN_TIMEOUT'
                    | 'RUN_CANCELLED'
                    | 'STEP_LIMIT'
                    | 'MODEL_ERROR'
                    | 'CONTEXT_EXHAUSTED'
                    | 'WORKSPACE_LIMIT'
                    | 'WORKSPACE_SYNC_FAILED'
                    | 'RUNNER_PROTOCOL_ERROR'
                    | 'DEPENDENCY_UNAVAILABLE'
                    | 'INTERNAL_ERROR'
                    | 'SECURITY_POSTURE'
                    | 'SANDBOX_LIMIT'
                    | 'CONVERSATION_KIND_MISMATCH'
                    | 'SKILL_LIMIT'
                    | 'EGRESS_DENIED'
                    | 'MCP_ERROR'
                    | 'SECRET_KEY_UNKNOWN';
                  /** @description STREAM_LAGGED: the oldest retained event; resume after firstSeq - 1 */
                  firstSeq?: number;
                  message: string;
                  /** @description STREAM_LAGGED: events this client lost */
                  missed?: number;
                  recoverable: boolean;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq?: number;
                  severity: 'warning' | 'error' | 'critical';
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'error';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  code: string;
                  /** @description SANDBOX_LIMIT: the value read when it was reached */
                  current?: number;
                  /** @description SANDBOX_LIMIT: the limit the sandbox reached */
                  limit?: 'pids' | 'memory' | 'cpu' | 'workspace';
                  /** @description SANDBOX_LIMIT: the limit */
                  max?: number;
                  message: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'warning';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description bytes received from the internet */
                  bytesIn: number;
                  /** @description bytes sent to the internet */
                  bytesOut: number;
                  /** @description egress connections opened */
                  connections: number;
                  /** @description egress connection attempts refused */
                  denied: number;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'egress';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  message: string;
                  runId: string;
                  /** @enum {string} */
                  type: 'server_shutdown';
                } & {
                  [key: string]: unknown;
                });
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/tenants/{tenantId}/conversations/{conversationId}/tickets': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** A single-use ticket for a WebSocket upgrade to this conversation (`?ticket=`) */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          conversationId: string;
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        '4XX': {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                code: string;
                details?: {
                  [key: string]: unknown;
                };
                message: string;
                recoverable: boolean;
                requestId: string;
                severity: string;
              };
            };
          };
        };
        /** @description Default Response */
        '5XX': {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                code: string;
                details?: {
                  [key: string]: unknown;
                };
                message: string;
                recoverable: boolean;
                requestId: string;
                severity: string;
              };
            };
          };
        };
        /** @description Default Response */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              conversationId: string;
              /** Format: date-time */
              expiresAt: string;
              /** @description Names the ticket for revocation */
              id: string;
              kind: 'conversation' | 'run';
              runId?: string;
              /** @description The credential itself, for `?ticket=`; shown once */
              ticket: string;
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/tenants/{tenantId}/conversations/{conversationId}/workspace/files': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Files of the workspace (paged) */
    get: {
      parameters: {
        query?: {
          cursor?: string;
          limit?: number;
        };
        header?: never;
        path: {
          conversationId: string;
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/tenants/{tenantId}/conversations/{conversationId}/workspace/files/{path}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Download a file (streamed) */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          conversationId: string;
          /** @description the file path, relative to /workspace (may contain slashes) */
          path: string;
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    /** Upload a file (streamed, within the quota) */
    put: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          conversationId: string;
          /** @description the file path, relative to /workspace (may contain slashes) */
          path: string;
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              etag: string;
              executable: boolean;
              modified: string;
              path: string;
              size: number;
            };
          };
        };
        /** @description Default Response */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              etag: string;
              executable: boolean;
              modified: string;
              path: string;
              size: number;
            };
          };
        };
      };
    };
    post?: never;
    /** Delete a file */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          conversationId: string;
          /** @description the file path, relative to /workspace (may contain slashes) */
          path: string;
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        204: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/tenants/{tenantId}/conversations/{conversationId}/ws': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Chat with a conversation over WebSocket
     * @description Upgrade to a WebSocket (JSON text frames). Credential: `X-API-Key` or `Authorization: Bearer` on the upgrade.
     *
     *     **Client messages** (schema below): `{"type":"chat","content"}` starts a run (same limits as `/stream`; one
     *     active run per connection, a second `chat` gets `CONVERSATION_BUSY`); `{"type":"cancel"}` cancels it;
     *     `{"type":"ping"}` is answered with `pong`; `{"type":"resume","runId","lastEventId"}` follows a run of this
     *     conversation after that sequence number (started on any node, over SSE or WebSocket).
     *
     *     **Server messages**, each with `id` and `timestamp`: every run event exactly as SSE sends it in `data:`
     *     (`type`, `runId`, `seq`, … ; `id` is `<runId>:<seq>`; tool_call/tool_result name their tool use in
     *     `toolUseId`); `end {runId, status}` after each run; `pong`; `error {code, message, severity, recoverable,
     *     requestId, runId?, details?}` (an invalid, unknown or oversized message gets one and the connection stays
     *     open; a reader that fell behind gets `STREAM_LAGGED` with `firstSeq`); `server_shutdown` before close 1001.
     *
     *     Liveness: RFC 6455 ping frames (`WS_PING_INTERVAL`); no pong in time closes with 4000. Close codes: 1000
     *     normal, 1001 shutdown, 1008 policy (origin not in `CORS_ORIGINS`, tenant, a conversation that does not exist
     *     or is archived, over `WS_MAX_CONNECTIONS_PER_PRINCIPAL`; the reason says which), 1011 internal, 4000
     *     heartbeat timeout, 4001 unauthenticated (a browser passes a single-use conversation ticket as `?ticket=`).
     *
     *     Client message schema:
     *     ```json
     *     {
     *      "anyOf": [
     *       {
     *        "type": "object",
     *        "required": [
     *         "type",
     *         "content"
     *        ],
     *        "properties": {
     *         "type": {
     *          "type": "string",
     *          "const": "chat"
     *         },
     *         "content": {
     *          "type": "string",
     *          "minLength": 1,
     *          "maxLength": 200000
     *         }
     *        },
     *        "additionalProperties": false,
     *        "description": "Starts a run on the conversation."
     *       },
     *       {
     *        "type": "object",
     *        "required": [
     *         "type"
     *        ],
     *        "properties": {
     *         "type": {
     *          "type": "string",
     *          "const": "cancel"
     *         }
     *        },
     *        "additionalProperties": false,
     *        "description": "Cancels this connection's active run."
     *       },
     *       {
     *        "type": "object",
     *        "required": [
     *         "type"
     *        ],
     *        "properties": {
     *         "type": {
     *          "type": "string",
     *          "const": "ping"
     *         }
     *        },
     *        "additionalProperties": false,
     *        "description": "Answered with `pong`."
     *       },
     *       {
     *        "type": "object",
     *        "required": [
     *         "type",
     *         "runId",
     *         "lastEventId"
     *        ],
     *        "properties": {
     *         "type": {
     *          "type": "string",
     *          "const": "resume"
     *         },
     *         "runId": {
     *          "type": "string",
     *          "pattern": "^[A-Za-z0-9_-]{1,64}$"
     *         },
     *         "lastEventId": {
     *          "anyOf": [
     *           {
     *            "type": "integer",
     *            "minimum": 0,
     *            "maximum": 999999999999
     *           },
     *           {
     *            "type": "string",
     *            "pattern": "^[0-9]{1,12}$"
     *           }
     *          ]
     *         }
     *        },
     *        "additionalProperties": false,
     *        "description": "Follows a run of this conversation after `lastEventId` (from any node, any transport)."
     *       }
     *      ]
     *     }
     *     ```
     */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          conversationId: string;
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        '4XX': {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                code: string;
                details?: {
                  [key: string]: unknown;
                };
                message: string;
                recoverable: boolean;
                requestId: string;
                severity: string;
              };
            };
          };
        };
        /** @description Switching Protocols: then JSON text frames. agentd sends the messages below; the client sends `chat`, `cancel`, `ping` or `resume` (schema `WsClientMessage` in components). */
        101: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json':
              | ({
                  conversationId: string;
                  modelId: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'run_start';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  source: 'pool' | 'reuse' | 'cold';
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'allocating';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  step: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'step_start';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  delta: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'text';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  delta: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'thinking';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description The tool use (on WebSocket: the message id; read toolUseId) */
                  id: string;
                  input: unknown;
                  name: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  toolUseId: string;
                  /** @enum {string} */
                  type: 'tool_call';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description The tool use answered (on WebSocket: the message id; read toolUseId) */
                  id: string;
                  isError: boolean;
                  /** @description The tool that ran */
                  name: string;
                  output: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  toolUseId: string;
                  truncated: boolean;
                  /** @enum {string} */
                  type: 'tool_result';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  durationMs: number;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  step: number;
                  stopReason?: string;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'step_complete';
                  usage?: {
                    cacheReadTokens?: number;
                    cacheWriteTokens?: number;
                    inputTokens: number;
                    outputTokens: number;
                  };
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description The whole turn’s text, up to the configured cap */
                  content: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  truncated?: boolean;
                  /** @enum {string} */
                  type: 'final';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  cacheReadTokens: number;
                  cacheWriteTokens: number;
                  costUsd: number;
                  /** @description Exact decimal USD */
                  costUsdExact: string;
                  inputTokens: number;
                  outputTokens: number;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  steps: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'usage';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  code:
                    | 'VALIDATION_FAILED'
                    | 'UNAUTHENTICATED'
                    | 'FORBIDDEN'
                    | 'NOT_FOUND'
                    | 'CONVERSATION_BUSY'
                    | 'RATE_LIMITED'
                    | 'STREAM_LAGGED'
                    | 'CAPACITY_EXHAUSTED'
                    | 'SANDBOX_START_FAILED'
                    | 'SANDBOX_LOST'
                    | 'RUN_TIMEOUT'
                    | 'RUN_CANCELLED'
                    | 'STEP_LIMIT'
                    | 'MODEL_ERROR'
                    | 'CONTEXT_EXHAUSTED'
                    | 'WORKSPACE_LIMIT'
                    | 'WORKSPACE_SYNC_FAILED'
                    | 'RUNNER_PROTOCOL_ERROR'
                    | 'DEPENDENCY_UNAVAILABLE'
                    | 'INTERNAL_ERROR'
                    | 'SECURITY_POSTURE'
                    | 'SANDBOX_LIMIT'
                    | 'CONVERSATION_KIND_MISMATCH'
                    | 'SKILL_LIMIT'
                    | 'EGRESS_DENIED'
                    | 'MCP_ERROR'
                    | 'SECRET_KEY_UNKNOWN';
                  /** @description STREAM_LAGGED: the oldest retained event; resume after firstSeq - 1 */
                  firstSeq?: number;
                  message: string;
                  /** @description STREAM_LAGGED: events this client lost */
                  missed?: number;
                  recoverable: boolean;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq?: number;
                  severity: 'warning' | 'error' | 'critical';
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'error';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  code: string;
                  /** @description SANDBOX_LIMIT: the value read when it was reached */
                  current?: number;
                  /** @description SANDBOX_LIMIT: the limit the sandbox reached */
                  limit?: 'pids' | 'memory' | 'cpu' | 'workspace';
                  /** @description SANDBOX_LIMIT: the limit */
                  max?: number;
                  message: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'warning';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description bytes received from the internet */
                  bytesIn: number;
                  /** @description bytes sent to the internet */
                  bytesOut: number;
                  /** @description egress connections opened */
                  connections: number;
                  /** @description egress connection attempts refused */
                  denied: number;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'egress';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  message: string;
                  runId: string;
                  /** @enum {string} */
                  type: 'server_shutdown';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description Unique per message; for a run event `<runId>:<seq>`, the same on every replay */
                  id: string;
                  runId: string;
                  status: string;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'end';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description Unique per message; for a run event `<runId>:<seq>`, the same on every replay */
                  id: string;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'pong';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description Unique per message; for a run event `<runId>:<seq>`, the same on every replay */
                  id: string;
                  message: string;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'server_shutdown';
                } & {
                  [key: string]: unknown;
                });
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/tenants/{tenantId}/mcp-servers': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The tenant’s MCP servers */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              items: {
                allowedTools: string[] | null;
                args: string[];
                command: string | null;
                /** Format: date-time */
                createdAt: string;
                enabled: boolean;
                env: {
                  [key: string]: string;
                };
                /** @description Header templates (secret references, never values) */
                headers: {
                  [key: string]: string;
                };
                id: string;
                name: string;
                tenantId: string;
                timeoutMs: number | null;
                transport: string;
                /** Format: date-time */
                updatedAt: string;
                url: string | null;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    /** Register an MCP server */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            allowedTools?: string[] | null;
            args?: string[];
            command?: string | null;
            enabled?: boolean;
            env?: {
              [key: string]: string;
            };
            headers?: {
              [key: string]: string;
            };
            name: string;
            timeoutMs?: number | null;
            transport: 'http' | 'stdio';
            url?: string | null;
          };
        };
      };
      responses: {
        /** @description Default Response */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              allowedTools: string[] | null;
              args: string[];
              command: string | null;
              /** Format: date-time */
              createdAt: string;
              enabled: boolean;
              env: {
                [key: string]: string;
              };
              /** @description Header templates (secret references, never values) */
              headers: {
                [key: string]: string;
              };
              id: string;
              name: string;
              tenantId: string;
              timeoutMs: number | null;
              transport: string;
              /** Format: date-time */
              updatedAt: string;
              url: string | null;
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/tenants/{tenantId}/mcp-servers/{serverId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One MCP server */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          serverId: string;
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              allowedTools: string[] | null;
              args: string[];
              command: string | null;
              /** Format: date-time */
              createdAt: string;
              enabled: boolean;
              env: {
                [key: string]: string;
              };
              /** @description Header templates (secret references, never values) */
              headers: {
                [key: string]: string;
              };
              id: string;
              name: string;
              tenantId: string;
              timeoutMs: number | null;
              transport: string;
              /** Format: date-time */
              updatedAt: string;
              url: string | null;
            };
          };
        };
      };
    };
    /** Replace an MCP server */
    put: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          serverId: string;
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            allowedTools?: string[] | null;
            args?: string[];
            command?: string | null;
            enabled?: boolean;
            env?: {
              [key: string]: string;
            };
            headers?: {
              [key: string]: string;
            };
            name: string;
            timeoutMs?: number | null;
            transport: 'http' | 'stdio';
            url?: string | null;
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              allowedTools: string[] | null;
              args: string[];
              command: string | null;
              /** Format: date-time */
              createdAt: string;
              enabled: boolean;
              env: {
                [key: string]: string;
              };
              /** @description Header templates (secret references, never values) */
              headers: {
                [key: string]: string;
              };
              id: string;
              name: string;
              tenantId: string;
              timeoutMs: number | null;
              transport: string;
              /** Format: date-time */
              updatedAt: string;
              url: string | null;
            };
          };
        };
      };
    };
    post?: never;
    /** Remove an MCP server */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          serverId: string;
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        204: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/tenants/{tenantId}/mcp-servers/{serverId}/check': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Connect and list the tools */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          serverId: string;
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              capped: boolean;
              tools: {
                description: string | null;
                exposedName: string;
                name: string;
              }[];
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/tenants/{tenantId}/secrets': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A tenant's secrets (names and versions, never values) */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              items: {
                /** Format: date-time */
                createdAt: string;
                /** @description the AGENTD_SECRETS_KEY key id that sealed the current value */
                keyId: string;
                name: string;
                /** Format: date-time */
                updatedAt: string;
                /** @description 1 when created, +1 on every new value */
                version: number;
              }[];
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/tenants/{tenantId}/secrets/{name}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One secret's metadata */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          name: string;
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: date-time */
              createdAt: string;
              /** @description the AGENTD_SECRETS_KEY key id that sealed the current value */
              keyId: string;
              name: string;
              /** Format: date-time */
              updatedAt: string;
              /** @description 1 when created, +1 on every new value */
              version: number;
            };
          };
        };
      };
    };
    /** Set a secret (201 created, 200 a new version) */
    put: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          name: string;
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            /** @description write-only; never returned */
            value: string;
          };
        };
      };
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: date-time */
              createdAt: string;
              /** @description the AGENTD_SECRETS_KEY key id that sealed the current value */
              keyId: string;
              name: string;
              /** Format: date-time */
              updatedAt: string;
              /** @description 1 when created, +1 on every new value */
              version: number;
            };
          };
        };
        /** @description Default Response */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: date-time */
              createdAt: string;
              /** @description the AGENTD_SECRETS_KEY key id that sealed the current value */
              keyId: string;
              name: string;
              /** Format: date-time */
              updatedAt: string;
              /** @description 1 when created, +1 on every new value */
              version: number;
            };
          };
        };
      };
    };
    post?: never;
    /** Delete a secret */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          name: string;
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: date-time */
              createdAt: string;
              /** @description the AGENTD_SECRETS_KEY key id that sealed the current value */
              keyId: string;
              name: string;
              /** Format: date-time */
              updatedAt: string;
              /** @description 1 when created, +1 on every new value */
              version: number;
            };
          };
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/tenants/{tenantId}/simple-chats': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Simple chats of a tenant (paged) */
    get: {
      parameters: {
        query?: {
          cursor?: string;
          limit?: number;
          status?: 'active' | 'archived';
          userId?: string;
        };
        header?: never;
        path: {
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              items: {
                /** Format: date-time */
                archivedAt: string | null;
                /** Format: date-time */
                createdAt: string;
                /** Format: date-time */
                historyClearedAt: string | null;
                id: string;
                /** @description `chat`: a simple chat, run without a sandbox or tools */
                kind: 'conversation' | 'chat';
                /** Format: date-time */
                lastRunAt: string | null;
                mcpServers: string[] | null;
                modelId: string;
                profile: string | null;
                sessionId: string | null;
                status: string;
                systemPrompt: string | null;
                tenantId: string;
                title: string | null;
                /** Format: date-time */
                updatedAt: string;
                userId: string | null;
                workspaceEnabled: boolean;
                workspaceVersion: number;
              }[];
              nextCursor: string | null;
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/tenants/{tenantId}/simple-chats/{chatId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One simple chat with its messages, oldest first (paged) */
    get: {
      parameters: {
        query?: {
          cursor?: string;
          limit?: number;
        };
        header?: never;
        path: {
          chatId: string;
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: date-time */
              archivedAt: string | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              historyClearedAt: string | null;
              id: string;
              /** @description `chat`: a simple chat, run without a sandbox or tools */
              kind: 'conversation' | 'chat';
              /** Format: date-time */
              lastRunAt: string | null;
              mcpServers: string[] | null;
              messages: {
                content: unknown[];
                conversationId: string;
                /** Format: date-time */
                createdAt: string;
                id: string;
                inputTokens: number;
                outputTokens: number;
                role: string;
                runId: string | null;
                seq: number;
              }[];
              messagesNextCursor: string | null;
              modelId: string;
              profile: string | null;
              sessionId: string | null;
              status: string;
              systemPrompt: string | null;
              tenantId: string;
              title: string | null;
              /** Format: date-time */
              updatedAt: string;
              userId: string | null;
              workspaceEnabled: boolean;
              workspaceVersion: number;
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    /** Delete a simple chat and its messages */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          chatId: string;
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        204: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/tenants/{tenantId}/simple-chats/{chatId}/archive': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Archive a simple chat (no new messages) */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          chatId: string;
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              /** Format: date-time */
              archivedAt: string | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              historyClearedAt: string | null;
              id: string;
              /** @description `chat`: a simple chat, run without a sandbox or tools */
              kind: 'conversation' | 'chat';
              /** Format: date-time */
              lastRunAt: string | null;
              mcpServers: string[] | null;
              modelId: string;
              profile: string | null;
              sessionId: string | null;
              status: string;
              systemPrompt: string | null;
              tenantId: string;
              title: string | null;
              /** Format: date-time */
              updatedAt: string;
              userId: string | null;
              workspaceEnabled: boolean;
              workspaceVersion: number;
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/tenants/{tenantId}/simple-chats/stream': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Send a message to a new or existing simple chat and stream the answer (SSE, no sandbox) */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            chatId?: string;
            message: string;
            modelId?: string;
            systemPrompt?: string;
          };
        };
      };
      responses: {
        /** @description Default Response */
        '4XX': {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                code: string;
                details?: {
                  [key: string]: unknown;
                };
                message: string;
                recoverable: boolean;
                requestId: string;
                severity: string;
              };
            };
          };
        };
        /** @description Default Response */
        '5XX': {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                code: string;
                details?: {
                  [key: string]: unknown;
                };
                message: string;
                recoverable: boolean;
                requestId: string;
                severity: string;
              };
            };
          };
        };
        /** @description A `text/event-stream` of run events */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'text/event-stream':
              | ({
                  conversationId: string;
                  modelId: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'run_start';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  source: 'pool' | 'reuse' | 'cold';
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'allocating';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  step: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'step_start';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  delta: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'text';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  delta: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'thinking';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description The tool use (on WebSocket: the message id; read toolUseId) */
                  id: string;
                  input: unknown;
                  name: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  toolUseId: string;
                  /** @enum {string} */
                  type: 'tool_call';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description The tool use answered (on WebSocket: the message id; read toolUseId) */
                  id: string;
                  isError: boolean;
                  /** @description The tool that ran */
                  name: string;
                  output: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  toolUseId: string;
                  truncated: boolean;
                  /** @enum {string} */
                  type: 'tool_result';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  durationMs: number;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  step: number;
                  stopReason?: string;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'step_complete';
                  usage?: {
                    cacheReadTokens?: number;
                    cacheWriteTokens?: number;
                    inputTokens: number;
                    outputTokens: number;
                  };
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description The whole turn’s text, up to the configured cap */
                  content: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  truncated?: boolean;
                  /** @enum {string} */
                  type: 'final';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  cacheReadTokens: number;
                  cacheWriteTokens: number;
                  costUsd: number;
                  /** @description Exact decimal USD */
                  costUsdExact: string;
                  inputTokens: number;
                  outputTokens: number;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  steps: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'usage';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  code:
                    | 'VALIDATION_FAILED'
                    | 'UNAUTHENTICATED'
                    | 'FORBIDDEN'
                    | 'NOT_FOUND'
                    | 'CONVERSATION_BUSY'
                    | 'RATE_LIMITED'
                    | 'STREAM_LAGGED'
                    | 'CAPACITY_EXHAUSTED'
                    | 'SANDBOX_START_FAILED'
                    | 'SANDBOX_LOST'
                    | 'RUN_TIMEOUT'
                    | 'RUN_CANCELLED'
                    | 'STEP_LIMIT'
                    | 'MODEL_ERROR'
                    | 'CONTEXT_EXHAUSTED'
                    | 'WORKSPACE_LIMIT'
                    | 'WORKSPACE_SYNC_FAILED'
                    | 'RUNNER_PROTOCOL_ERROR'
                    | 'DEPENDENCY_UNAVAILABLE'
                    | 'INTERNAL_ERROR'
                    | 'SECURITY_POSTURE'
                    | 'SANDBOX_LIMIT'
                    | 'CONVERSATION_KIND_MISMATCH'
                    | 'SKILL_LIMIT'
                    | 'EGRESS_DENIED'
                    | 'MCP_ERROR'
                    | 'SECRET_KEY_UNKNOWN';
                  /** @description STREAM_LAGGED: the oldest retained event; resume after firstSeq - 1 */
                  firstSeq?: number;
                  message: string;
                  /** @description STREAM_LAGGED: events this client lost */
                  missed?: number;
                  recoverable: boolean;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq?: number;
                  severity: 'warning' | 'error' | 'critical';
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'error';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  code: string;
                  /** @description SANDBOX_LIMIT: the value read when it was reached */
                  current?: number;
                  /** @description SANDBOX_LIMIT: the limit the sandbox reached */
                  limit?: 'pids' | 'memory' | 'cpu' | 'workspace';
                  /** @description SANDBOX_LIMIT: the limit */
                  max?: number;
                  message: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'warning';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description bytes received from the internet */
                  bytesIn: number;
                  /** @description bytes sent to the internet */
                  bytesOut: number;
                  /** @description egress connections opened */
                  connections: number;
                  /** @description egress connection attempts refused */
                  denied: number;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'egress';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  message: string;
                  runId: string;
                  /** @enum {string} */
                  type: 'server_shutdown';
                } & {
                  [key: string]: unknown;
                });
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/tenants/{tenantId}/skills': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The tenant's skills */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    put?: never;
    /**
     * Register a skill
     * @description A tar (application/x-tar, gzip allowed: application/gzip), a zip (application/zip) or a JSON file map (application/json: {name?, enabled?, files: {"SKILL.md": "...", "scripts/x.py": "..."}}). SKILL.md needs YAML front matter with name and description. Refused uploads answer 400 or 413 with the reason; nothing is stored.
     */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              createdAt: string;
              description: string;
              digest: string;
              enabled: boolean;
              fileCount: number;
              name: string;
              sizeBytes: number;
              updatedAt: string;
              version: number;
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/tenants/{tenantId}/skills/{name}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One skill and its files */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          name: string;
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              createdAt: string;
              description: string;
              digest: string;
              enabled: boolean;
              fileCount: number;
              files: {
                path: string;
                size: number;
              }[];
              name: string;
              sizeBytes: number;
              updatedAt: string;
              version: number;
            };
          };
        };
      };
    };
    /**
     * Replace a skill's files (or create it), or toggle enabled with a JSON {enabled}
     * @description A tar (application/x-tar, gzip allowed: application/gzip), a zip (application/zip) or a JSON file map (application/json: {name?, enabled?, files: {"SKILL.md": "...", "scripts/x.py": "..."}}). SKILL.md needs YAML front matter with name and description. Refused uploads answer 400 or 413 with the reason; nothing is stored.
     */
    put: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          name: string;
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              createdAt: string;
              description: string;
              digest: string;
              enabled: boolean;
              fileCount: number;
              name: string;
              sizeBytes: number;
              updatedAt: string;
              version: number;
            };
          };
        };
        /** @description Default Response */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              createdAt: string;
              description: string;
              digest: string;
              enabled: boolean;
              fileCount: number;
              name: string;
              sizeBytes: number;
              updatedAt: string;
              version: number;
            };
          };
        };
      };
    };
    post?: never;
    /** Delete a skill */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          name: string;
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        204: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/tenants/{tenantId}/tickets/{ticketId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Revoke a ticket */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          tenantId: string;
          ticketId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        '4XX': {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                code: string;
                details?: {
                  [key: string]: unknown;
                };
                message: string;
                recoverable: boolean;
                requestId: string;
                severity: string;
              };
            };
          };
        };
        /** @description Default Response */
        '5XX': {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                code: string;
                details?: {
                  [key: string]: unknown;
                };
                message: string;
                recoverable: boolean;
                requestId: string;
                severity: string;
              };
            };
          };
        };
        /** @description Default Response */
        204: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/tenants/{tenantId}/usage': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Token and cost totals, grouped */
    get: {
      parameters: {
        query?: {
          from?: string;
          groupBy?: 'model' | 'conversation' | 'day';
          to?: string;
        };
        header?: never;
        path: {
          tenantId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/health': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Each dependency with status and latency */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/health/live': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Liveness: the process answers */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/health/ready': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Readiness: 200, or 503 naming what is down */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/invocations': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** AgentCore Runtime: run one turn in the runtime session and stream its events (SSE) */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody: {
        content: {
          'application/json': {
            messages?: {
              content:
                | string
                | {
                    text?: string;
                  }[];
              role: string;
            }[];
            prompt?: string;
          };
        };
      };
      responses: {
        /** @description Default Response */
        '4XX': {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                code: string;
                details?: {
                  [key: string]: unknown;
                };
                message: string;
                recoverable: boolean;
                requestId: string;
                severity: string;
              };
            };
          };
        };
        /** @description Default Response */
        '5XX': {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                code: string;
                details?: {
                  [key: string]: unknown;
                };
                message: string;
                recoverable: boolean;
                requestId: string;
                severity: string;
              };
            };
          };
        };
        /** @description A `text/event-stream` of run events */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'text/event-stream':
              | ({
                  conversationId: string;
                  modelId: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'run_start';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  source: 'pool' | 'reuse' | 'cold';
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'allocating';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  step: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'step_start';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  delta: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'text';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  delta: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'thinking';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description The tool use (on WebSocket: the message id; read toolUseId) */
                  id: string;
                  input: unknown;
                  name: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  toolUseId: string;
                  /** @enum {string} */
                  type: 'tool_call';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description The tool use answered (on WebSocket: the message id; read toolUseId) */
                  id: string;
                  isError: boolean;
                  /** @description The tool that ran */
                  name: string;
                  output: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  toolUseId: string;
                  truncated: boolean;
                  /** @enum {string} */
                  type: 'tool_result';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  durationMs: number;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  step: number;
                  stopReason?: string;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'step_complete';
                  usage?: {
                    cacheReadTokens?: number;
                    cacheWriteTokens?: number;
                    inputTokens: number;
                    outputTokens: number;
                  };
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description The whole turn’s text, up to the configured cap */
                  content: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  truncated?: boolean;
                  /** @enum {string} */
                  type: 'final';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  cacheReadTokens: number;
                  cacheWriteTokens: number;
                  costUsd: number;
                  /** @description Exact decimal USD */
                  costUsdExact: string;
                  inputTokens: number;
                  outputTokens: number;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  steps: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'usage';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  code:
                    | 'VALIDATION_FAILED'
                    | 'UNAUTHENTICATED'
                    | 'FORBIDDEN'
                    | 'NOT_FOUND'
                    | 'CONVERSATION_BUSY'
                    | 'RATE_LIMITED'
                    | 'STREAM_LAGGED'
                    | 'CAPACITY_EXHAUSTED'
                    | 'SANDBOX_START_FAILED'
                    | 'SANDBOX_LOST'
                    | 'RUN_TIMEOUT'
                    | 'RUN_CANCELLED'
                    | 'STEP_LIMIT'
                    | 'MODEL_ERROR'
                    | 'CONTEXT_EXHAUSTED'
                    | 'WORKSPACE_LIMIT'
                    | 'WORKSPACE_SYNC_FAILED'
                    | 'RUNNER_PROTOCOL_ERROR'
                    | 'DEPENDENCY_UNAVAILABLE'
                    | 'INTERNAL_ERROR'
                    | 'SECURITY_POSTURE'
                    | 'SANDBOX_LIMIT'
                    | 'CONVERSATION_KIND_MISMATCH'
                    | 'SKILL_LIMIT'
                    | 'EGRESS_DENIED'
                    | 'MCP_ERROR'
                    | 'SECRET_KEY_UNKNOWN';
                  /** @description STREAM_LAGGED: the oldest retained event; resume after firstSeq - 1 */
                  firstSeq?: number;
                  message: string;
                  /** @description STREAM_LAGGED: events this client lost */
                  missed?: number;
                  recoverable: boolean;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq?: number;
                  severity: 'warning' | 'error' | 'critical';
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'error';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  code: string;
                  /** @description SANDBOX_LIMIT: the value read when it was reached */
                  current?: number;
                  /** @description SANDBOX_LIMIT: the limit the sandbox reached */
                  limit?: 'pids' | 'memory' | 'cpu' | 'workspace';
                  /** @description SANDBOX_LIMIT: the limit */
                  max?: number;
                  message: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'warning';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description bytes received from the internet */
                  bytesIn: number;
                  /** @description bytes sent to the internet */
                  bytesOut: number;
                  /** @description egress connections opened */
                  connections: number;
                  /** @description egress connection attempts refused */
                  denied: number;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'egress';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  message: string;
                  runId: string;
                  /** @enum {string} */
                  type: 'server_shutdown';
                } & {
                  [key: string]: unknown;
                });
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/metrics': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Prometheus metrics */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/ping': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** AgentCore Runtime health: Healthy, or HealthyBusy while this node runs work */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              service: string;
              status: 'Healthy' | 'HealthyBusy';
              /** @description Unix seconds of the last status change */
              time_of_last_update: number;
              /** Format: date-time */
              timestamp: string;
              version: string;
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/sessions': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Sessions of the caller’s tenant (paged) */
    get: {
      parameters: {
        query?: {
          cursor?: string;
          limit?: number;
        };
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    put?: never;
    /** Create a session (a conversation of the caller’s tenant) */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        '4XX': {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                code: string;
                details?: {
                  [key: string]: unknown;
                };
                message: string;
                recoverable: boolean;
                requestId: string;
                severity: string;
              };
            };
          };
        };
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              conversation_id: string;
              /** Format: date-time */
              created_at: string;
              /** Format: date-time */
              history_cleared_at: string | null;
              /** Format: date-time */
              last_run_at: string | null;
              model_id: string;
              session_id: string;
              status: string;
              user_id: string | null;
            };
          };
        };
        /** @description Default Response */
        201: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              conversation_id: string;
              /** Format: date-time */
              created_at: string;
              /** Format: date-time */
              history_cleared_at: string | null;
              /** Format: date-time */
              last_run_at: string | null;
              model_id: string;
              session_id: string;
              status: string;
              user_id: string | null;
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/sessions/{sessionId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One session */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          sessionId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              conversation_id: string;
              /** Format: date-time */
              created_at: string;
              /** Format: date-time */
              history_cleared_at: string | null;
              /** Format: date-time */
              last_run_at: string | null;
              model_id: string;
              session_id: string;
              status: string;
              user_id: string | null;
            };
          };
        };
      };
    };
    put?: never;
    post?: never;
    /** Delete a session with its conversation, sandbox and workspace */
    delete: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          sessionId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        204: {
          headers: {
            [name: string]: unknown;
          };
          content?: never;
        };
      };
    };
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/sessions/{sessionId}/clear': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Clear a session’s history (the workspace and usage stay) */
    post: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          sessionId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        200: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              conversation_id: string;
              /** Format: date-time */
              created_at: string;
              /** Format: date-time */
              history_cleared_at: string | null;
              /** Format: date-time */
              last_run_at: string | null;
              model_id: string;
              session_id: string;
              status: string;
              user_id: string | null;
            };
          };
        };
      };
    };
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/ws': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * AgentCore Runtime: chat in a runtime session over WebSocket (session header or ?session_id=)
     * @description Upgrade to a WebSocket (JSON text frames). Credential: `X-API-Key` or `Authorization: Bearer` on the upgrade.
     *
     *     **Client messages** (schema below): `{"type":"chat","content"}` starts a run (same limits as `/stream`; one
     *     active run per connection, a second `chat` gets `CONVERSATION_BUSY`); `{"type":"cancel"}` cancels it;
     *     `{"type":"ping"}` is answered with `pong`; `{"type":"resume","runId","lastEventId"}` follows a run of this
     *     conversation after that sequence number (started on any node, over SSE or WebSocket).
     *
     *     **Server messages**, each with `id` and `timestamp`: every run event exactly as SSE sends it in `data:`
     *     (`type`, `runId`, `seq`, … ; `id` is `<runId>:<seq>`; tool_call/tool_result name their tool use in
     *     `toolUseId`); `end {runId, status}` after each run; `pong`; `error {code, message, severity, recoverable,
     *     requestId, runId?, details?}` (an invalid, unknown or oversized message gets one and the connection stays
     *     open; a reader that fell behind gets `STREAM_LAGGED` with `firstSeq`); `server_shutdown` before close 1001.
     *
     *     Liveness: RFC 6455 ping frames (`WS_PING_INTERVAL`); no pong in time closes with 4000. Close codes: 1000
     *     normal, 1001 shutdown, 1008 policy (origin not in `CORS_ORIGINS`, tenant, a conversation that does not exist
     *     or is archived, over `WS_MAX_CONNECTIONS_PER_PRINCIPAL`; the reason says which), 1011 internal, 4000
     *     heartbeat timeout, 4001 unauthenticated (a browser passes a single-use conversation ticket as `?ticket=`).
     *
     *     Client message schema:
     *     ```json
     *     {
     *      "anyOf": [
     *       {
     *        "type": "object",
     *        "required": [
     *         "type",
     *         "content"
     *        ],
     *        "properties": {
     *         "type": {
     *          "type": "string",
     *          "const": "chat"
     *         },
     *         "content": {
     *          "type": "string",
     *          "minLength": 1,
     *          "maxLength": 200000
     *         }
     *        },
     *        "additionalProperties": false,
     *        "description": "Starts a run on the conversation."
     *       },
     *       {
     *        "type": "object",
     *        "required": [
     *         "type"
     *        ],
     *        "properties": {
     *         "type": {
     *          "type": "string",
     *          "const": "cancel"
     *         }
     *        },
     *        "additionalProperties": false,
     *        "description": "Cancels this connection's active run."
     *       },
     *       {
     *        "type": "object",
     *        "required": [
     *         "type"
     *        ],
     *        "properties": {
     *         "type": {
     *          "type": "string",
     *          "const": "ping"
     *         }
     *        },
     *        "additionalProperties": false,
     *        "description": "Answered with `pong`."
     *       },
     *       {
     *        "type": "object",
     *        "required": [
     *         "type",
     *         "runId",
     *         "lastEventId"
     *        ],
     *        "properties": {
     *         "type": {
     *          "type": "string",
     *          "const": "resume"
     *         },
     *         "runId": {
     *          "type": "string",
     *          "pattern": "^[A-Za-z0-9_-]{1,64}$"
     *         },
     *         "lastEventId": {
     *          "anyOf": [
     *           {
     *            "type": "integer",
     *            "minimum": 0,
     *            "maximum": 999999999999
     *           },
     *           {
     *            "type": "string",
     *            "pattern": "^[0-9]{1,12}$"
     *           }
     *          ]
     *         }
     *        },
     *        "additionalProperties": false,
     *        "description": "Follows a run of this conversation after `lastEventId` (from any node, any transport)."
     *       }
     *      ]
     *     }
     *     ```
     */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path?: never;
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        '4XX': {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                code: string;
                details?: {
                  [key: string]: unknown;
                };
                message: string;
                recoverable: boolean;
                requestId: string;
                severity: string;
              };
            };
          };
        };
        /** @description Switching Protocols: then JSON text frames. agentd sends the messages below; the client sends `chat`, `cancel`, `ping` or `resume` (schema `WsClientMessage` in components). */
        101: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json':
              | ({
                  conversationId: string;
                  modelId: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'run_start';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  source: 'pool' | 'reuse' | 'cold';
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'allocating';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  step: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'step_start';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  delta: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'text';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  delta: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'thinking';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description The tool use (on WebSocket: the message id; read toolUseId) */
                  id: string;
                  input: unknown;
                  name: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  toolUseId: string;
                  /** @enum {string} */
                  type: 'tool_call';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description The tool use answered (on WebSocket: the message id; read toolUseId) */
                  id: string;
                  isError: boolean;
                  /** @description The tool that ran */
                  name: string;
                  output: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  toolUseId: string;
                  truncated: boolean;
                  /** @enum {string} */
                  type: 'tool_result';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  durationMs: number;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  step: number;
                  stopReason?: string;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'step_complete';
                  usage?: {
                    cacheReadTokens?: number;
                    cacheWriteTokens?: number;
                    inputTokens: number;
                    outputTokens: number;
                  };
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description The whole turn’s text, up to the configured cap */
                  content: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  truncated?: boolean;
                  /** @enum {string} */
                  type: 'final';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  cacheReadTokens: number;
                  cacheWriteTokens: number;
                  costUsd: number;
                  /** @description Exact decimal USD */
                  costUsdExact: string;
                  inputTokens: number;
                  outputTokens: number;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  steps: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'usage';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  code:
                    | 'VALIDATION_FAILED'
                    | 'UNAUTHENTICATED'
                    | 'FORBIDDEN'
                    | 'NOT_FOUND'
                    | 'CONVERSATION_BUSY'
                    | 'RATE_LIMITED'
                    | 'STREAM_LAGGED'
                    | 'CAPACITY_EXHAUSTED'
                    | 'SANDBOX_START_FAILED'
                    | 'SANDBOX_LOST'
                    | 'RUN_TIMEOUT'
                    | 'RUN_CANCELLED'
                    | 'STEP_LIMIT'
                    | 'MODEL_ERROR'
                    | 'CONTEXT_EXHAUSTED'
                    | 'WORKSPACE_LIMIT'
                    | 'WORKSPACE_SYNC_FAILED'
                    | 'RUNNER_PROTOCOL_ERROR'
                    | 'DEPENDENCY_UNAVAILABLE'
                    | 'INTERNAL_ERROR'
                    | 'SECURITY_POSTURE'
                    | 'SANDBOX_LIMIT'
                    | 'CONVERSATION_KIND_MISMATCH'
                    | 'SKILL_LIMIT'
                    | 'EGRESS_DENIED'
                    | 'MCP_ERROR'
                    | 'SECRET_KEY_UNKNOWN';
                  /** @description STREAM_LAGGED: the oldest retained event; resume after firstSeq - 1 */
                  firstSeq?: number;
                  message: string;
                  /** @description STREAM_LAGGED: events this client lost */
                  missed?: number;
                  recoverable: boolean;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq?: number;
                  severity: 'warning' | 'error' | 'critical';
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'error';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  code: string;
                  /** @description SANDBOX_LIMIT: the value read when it was reached */
                  current?: number;
                  /** @description SANDBOX_LIMIT: the limit the sandbox reached */
                  limit?: 'pids' | 'memory' | 'cpu' | 'workspace';
                  /** @description SANDBOX_LIMIT: the limit */
                  max?: number;
                  message: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'warning';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description bytes received from the internet */
                  bytesIn: number;
                  /** @description bytes sent to the internet */
                  bytesOut: number;
                  /** @description egress connections opened */
                  connections: number;
                  /** @description egress connection attempts refused */
                  denied: number;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'egress';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  message: string;
                  runId: string;
                  /** @enum {string} */
                  type: 'server_shutdown';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description Unique per message; for a run event `<runId>:<seq>`, the same on every replay */
                  id: string;
                  runId: string;
                  status: string;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'end';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description Unique per message; for a run event `<runId>:<seq>`, the same on every replay */
                  id: string;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'pong';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description Unique per message; for a run event `<runId>:<seq>`, the same on every replay */
                  id: string;
                  message: string;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'server_shutdown';
                } & {
                  [key: string]: unknown;
                });
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/ws/{conversationId}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Chat with a conversation over WebSocket (tenant from a tenant-scoped credential)
     * @description Upgrade to a WebSocket (JSON text frames). Credential: `X-API-Key` or `Authorization: Bearer` on the upgrade.
     *
     *     **Client messages** (schema below): `{"type":"chat","content"}` starts a run (same limits as `/stream`; one
     *     active run per connection, a second `chat` gets `CONVERSATION_BUSY`); `{"type":"cancel"}` cancels it;
     *     `{"type":"ping"}` is answered with `pong`; `{"type":"resume","runId","lastEventId"}` follows a run of this
     *     conversation after that sequence number (started on any node, over SSE or WebSocket).
     *
     *     **Server messages**, each with `id` and `timestamp`: every run event exactly as SSE sends it in `data:`
     *     (`type`, `runId`, `seq`, … ; `id` is `<runId>:<seq>`; tool_call/tool_result name their tool use in
     *     `toolUseId`); `end {runId, status}` after each run; `pong`; `error {code, message, severity, recoverable,
     *     requestId, runId?, details?}` (an invalid, unknown or oversized message gets one and the connection stays
     *     open; a reader that fell behind gets `STREAM_LAGGED` with `firstSeq`); `server_shutdown` before close 1001.
     *
     *     Liveness: RFC 6455 ping frames (`WS_PING_INTERVAL`); no pong in time closes with 4000. Close codes: 1000
     *     normal, 1001 shutdown, 1008 policy (origin not in `CORS_ORIGINS`, tenant, a conversation that does not exist
     *     or is archived, over `WS_MAX_CONNECTIONS_PER_PRINCIPAL`; the reason says which), 1011 internal, 4000
     *     heartbeat timeout, 4001 unauthenticated (a browser passes a single-use conversation ticket as `?ticket=`).
     *
     *     Client message schema:
     *     ```json
     *     {
     *      "anyOf": [
     *       {
     *        "type": "object",
     *        "required": [
     *         "type",
     *         "content"
     *        ],
     *        "properties": {
     *         "type": {
     *          "type": "string",
     *          "const": "chat"
     *         },
     *         "content": {
     *          "type": "string",
     *          "minLength": 1,
     *          "maxLength": 200000
     *         }
     *        },
     *        "additionalProperties": false,
     *        "description": "Starts a run on the conversation."
     *       },
     *       {
     *        "type": "object",
     *        "required": [
     *         "type"
     *        ],
     *        "properties": {
     *         "type": {
     *          "type": "string",
     *          "const": "cancel"
     *         }
     *        },
     *        "additionalProperties": false,
     *        "description": "Cancels this connection's active run."
     *       },
     *       {
     *        "type": "object",
     *        "required": [
     *         "type"
     *        ],
     *        "properties": {
     *         "type": {
     *          "type": "string",
     *          "const": "ping"
     *         }
     *        },
     *        "additionalProperties": false,
     *        "description": "Answered with `pong`."
     *       },
     *       {
     *        "type": "object",
     *        "required": [
     *         "type",
     *         "runId",
     *         "lastEventId"
     *        ],
     *        "properties": {
     *         "type": {
     *          "type": "string",
     *          "const": "resume"
     *         },
     *         "runId": {
     *          "type": "string",
     *          "pattern": "^[A-Za-z0-9_-]{1,64}$"
     *         },
     *         "lastEventId": {
     *          "anyOf": [
     *           {
     *            "type": "integer",
     *            "minimum": 0,
     *            "maximum": 999999999999
     *           },
     *           {
     *            "type": "string",
     *            "pattern": "^[0-9]{1,12}$"
     *           }
     *          ]
     *         }
     *        },
     *        "additionalProperties": false,
     *        "description": "Follows a run of this conversation after `lastEventId` (from any node, any transport)."
     *       }
     *      ]
     *     }
     *     ```
     */
    get: {
      parameters: {
        query?: never;
        header?: never;
        path: {
          conversationId: string;
        };
        cookie?: never;
      };
      requestBody?: never;
      responses: {
        /** @description Default Response */
        '4XX': {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json': {
              error: {
                code: string;
                details?: {
                  [key: string]: unknown;
                };
                message: string;
                recoverable: boolean;
                requestId: string;
                severity: string;
              };
            };
          };
        };
        /** @description Switching Protocols: then JSON text frames. agentd sends the messages below; the client sends `chat`, `cancel`, `ping` or `resume` (schema `WsClientMessage` in components). */
        101: {
          headers: {
            [name: string]: unknown;
          };
          content: {
            'application/json':
              | ({
                  conversationId: string;
                  modelId: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'run_start';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  source: 'pool' | 'reuse' | 'cold';
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'allocating';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  step: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'step_start';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  delta: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'text';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  delta: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'thinking';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description The tool use (on WebSocket: the message id; read toolUseId) */
                  id: string;
                  input: unknown;
                  name: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  toolUseId: string;
                  /** @enum {string} */
                  type: 'tool_call';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description The tool use answered (on WebSocket: the message id; read toolUseId) */
                  id: string;
                  isError: boolean;
                  /** @description The tool that ran */
                  name: string;
                  output: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  toolUseId: string;
                  truncated: boolean;
                  /** @enum {string} */
                  type: 'tool_result';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  durationMs: number;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  step: number;
                  stopReason?: string;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'step_complete';
                  usage?: {
                    cacheReadTokens?: number;
                    cacheWriteTokens?: number;
                    inputTokens: number;
                    outputTokens: number;
                  };
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description The whole turn’s text, up to the configured cap */
                  content: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  truncated?: boolean;
                  /** @enum {string} */
                  type: 'final';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  cacheReadTokens: number;
                  cacheWriteTokens: number;
                  costUsd: number;
                  /** @description Exact decimal USD */
                  costUsdExact: string;
                  inputTokens: number;
                  outputTokens: number;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  steps: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'usage';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  code:
                    | 'VALIDATION_FAILED'
                    | 'UNAUTHENTICATED'
                    | 'FORBIDDEN'
                    | 'NOT_FOUND'
                    | 'CONVERSATION_BUSY'
                    | 'RATE_LIMITED'
                    | 'STREAM_LAGGED'
                    | 'CAPACITY_EXHAUSTED'
                    | 'SANDBOX_START_FAILED'
                    | 'SANDBOX_LOST'
                    | 'RUN_TIMEOUT'
                    | 'RUN_CANCELLED'
                    | 'STEP_LIMIT'
                    | 'MODEL_ERROR'
                    | 'CONTEXT_EXHAUSTED'
                    | 'WORKSPACE_LIMIT'
                    | 'WORKSPACE_SYNC_FAILED'
                    | 'RUNNER_PROTOCOL_ERROR'
                    | 'DEPENDENCY_UNAVAILABLE'
                    | 'INTERNAL_ERROR'
                    | 'SECURITY_POSTURE'
                    | 'SANDBOX_LIMIT'
                    | 'CONVERSATION_KIND_MISMATCH'
                    | 'SKILL_LIMIT'
                    | 'EGRESS_DENIED'
                    | 'MCP_ERROR'
                    | 'SECRET_KEY_UNKNOWN';
                  /** @description STREAM_LAGGED: the oldest retained event; resume after firstSeq - 1 */
                  firstSeq?: number;
                  message: string;
                  /** @description STREAM_LAGGED: events this client lost */
                  missed?: number;
                  recoverable: boolean;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq?: number;
                  severity: 'warning' | 'error' | 'critical';
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'error';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  code: string;
                  /** @description SANDBOX_LIMIT: the value read when it was reached */
                  current?: number;
                  /** @description SANDBOX_LIMIT: the limit the sandbox reached */
                  limit?: 'pids' | 'memory' | 'cpu' | 'workspace';
                  /** @description SANDBOX_LIMIT: the limit */
                  max?: number;
                  message: string;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'warning';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description bytes received from the internet */
                  bytesIn: number;
                  /** @description bytes sent to the internet */
                  bytesOut: number;
                  /** @description egress connections opened */
                  connections: number;
                  /** @description egress connection attempts refused */
                  denied: number;
                  runId: string;
                  /** @description Per-run sequence number, also the SSE `id:` */
                  seq: number;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'egress';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  message: string;
                  runId: string;
                  /** @enum {string} */
                  type: 'server_shutdown';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description Unique per message; for a run event `<runId>:<seq>`, the same on every replay */
                  id: string;
                  runId: string;
                  status: string;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'end';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description Unique per message; for a run event `<runId>:<seq>`, the same on every replay */
                  id: string;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'pong';
                } & {
                  [key: string]: unknown;
                })
              | ({
                  /** @description Unique per message; for a run event `<runId>:<seq>`, the same on every replay */
                  id: string;
                  message: string;
                  /** Format: date-time */
                  timestamp: string;
                  /** @enum {string} */
                  type: 'server_shutdown';
                } & {
                  [key: string]: unknown;
                });
          };
        };
      };
    };
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    /** WsClientMessage */
    'def-0':
      | {
          content: string;
          /** @enum {string} */
          type: 'chat';
        }
      | {
          /** @enum {string} */
          type: 'cancel';
        }
      | {
          /** @enum {string} */
          type: 'ping';
        }
      | {
          lastEventId: number | string;
          runId: string;
          /** @enum {string} */
          type: 'resume';
        };
  };
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
