import { describe, expect, it } from 'vitest';
import { caBundleEnv } from './ca-bundle-env.js';

describe('caBundleEnv', () => {
  it('points every TLS client variable at the bundle in /run/agentd', () => {
    const env = caBundleEnv('ca-bundle.pem');
    expect(Object.keys(env).sort()).toEqual([
      'AWS_CA_BUNDLE',
      'CURL_CA_BUNDLE',
      'GIT_SSL_CAINFO',
      'NODE_EXTRA_CA_CERTS',
      'PIP_CERT',
      'REQUESTS_CA_BUNDLE',
      'SSL_CERT_FILE',
    ]);
    expect(new Set(Object.values(env))).toEqual(new Set(['/run/agentd/ca-bundle.pem']));
  });
});
