/** Where agentd writes the sandbox's CA bundle: its read-only call-home directory. */
export const CA_BUNDLE_DIR = '/run/agentd';

/**
 * Points every common TLS client at agentd's bundle (the system roots plus the sandbox's own CA, which
 * signs the certificates agentd presents for hosts it adds credentials to): OpenSSL-based tools, Node,
 * Python requests, curl, pip, git and the AWS SDKs/CLI.
 */
export function caBundleEnv(file: string): Record<string, string> {
  const bundle = `${CA_BUNDLE_DIR}/${file}`;
  return {
    SSL_CERT_FILE: bundle,
    NODE_EXTRA_CA_CERTS: bundle,
    REQUESTS_CA_BUNDLE: bundle,
    CURL_CA_BUNDLE: bundle,
    PIP_CERT: bundle,
    GIT_SSL_CAINFO: bundle,
    AWS_CA_BUNDLE: bundle,
  };
}
