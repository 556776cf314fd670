import type { InjectingInterceptor } from '../interception/injecting-interceptor.js';
import { rulesFor } from '../interception/injection-rule.js';
import type { TlsInterceptor } from './egress-gateway.js';

/** The gateway's seam for credential injection: hosts with rules in the run's policy go to the interceptor. */
export function injectionInterceptor(interceptor: InjectingInterceptor): TlsInterceptor {
  return {
    intercepts: (run, target) => rulesFor(run.egress.policy.inject, target.host).length > 0,
    handle: (client, target, connectUpstream) =>
      interceptor.handle(
        client,
        {
          host: target.host,
          port: target.port,
          tenantId: target.run.tenant.id,
          sandboxId: target.run.lease.record.id,
          rules: rulesFor(target.run.egress.policy.inject, target.host),
        },
        connectUpstream,
      ),
  };
}
