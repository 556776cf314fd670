import type { AgentdConfig } from '../config/config.js';
import type { OutboundEndpoint } from '../outbound/outbound-types.js';

/** What a started daemon knows about its own listeners (ports chosen by the OS appear after start). */
export interface ListenerUrls {
  url: string | undefined;
  http2Urls: { h2c: string | undefined; tls: string | undefined };
}

function endpointOf(url: string | undefined, defaultPort: number): OutboundEndpoint[] {
  if (url === undefined) return [];
  try {
    const parsed = new URL(url);
    const host = parsed.hostname.replace(/^\[|\]$/g, '');
    return host === '' ? [] : [{ host, port: parsed.port === '' ? defaultPort : Number(parsed.port) }];
  } catch {
    return [];
  }
}

/**
 * agentd's own endpoints, which no tenant connection may reach whatever its rules allow: the API listeners,
 * the database (the embedded one too), Redis and a custom S3 endpoint. Read at every check.
 */
export function protectedEndpoints(
  config: AgentdConfig,
  databaseUrl: string,
  listeners: () => ListenerUrls,
): () => OutboundEndpoint[] {
  const fixed: OutboundEndpoint[] = [
    ...(config.http.port === 0 ? [] : [{ host: config.http.host, port: config.http.port }]),
    ...endpointOf(databaseUrl, 5432),
    ...endpointOf(config.redis.url, 6379),
    ...(config.workspace.store.kind === 's3' ? endpointOf(config.workspace.store.endpoint, 443) : []),
  ];
  return () => {
    const now = listeners();
    return [
      ...fixed,
      ...endpointOf(now.url, 80),
      ...endpointOf(now.http2Urls.h2c, 80),
      ...endpointOf(now.http2Urls.tls, 443),
    ];
  };
}
