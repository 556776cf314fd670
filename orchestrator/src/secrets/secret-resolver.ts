/** Resolves a tenant's secret by name (placeholder of the secrets foundation; replaced when it merges). */
export interface SecretResolver {
  resolve(tenantId: string, name: string): Promise<string>;
}
