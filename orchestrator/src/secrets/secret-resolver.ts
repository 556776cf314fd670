/** Resolves a tenant's secret to its plaintext (remote MCP headers, egress credential injection). */
export interface SecretResolver {
  /** NOT_FOUND naming the secret when it does not exist; SECRET_KEY_UNKNOWN when it cannot be opened. */
  resolve(tenantId: string, name: string): Promise<string>;
}
