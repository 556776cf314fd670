import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { AgentdError } from '../common/errors.js';

// Placeholder of the outbound-rules foundation (same class and method); replaced when it merges.

const SPECIAL_V4 = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
];
const SPECIAL_V6 = [
  '::/128',
  '::1/128',
  'fc00::/7',
  'fe80::/10',
  'ff00::/8',
  '64:ff9b::/96',
  '2001:db8::/32',
];
const MAX_REDIRECTS = 5;

interface AllowRule {
  list: BlockList;
  port: number | undefined;
}

export class OutboundGuard {
  readonly #special = new BlockList();

  constructor() {
    for (const cidr of SPECIAL_V4) addCidr(this.#special, cidr);
    for (const cidr of SPECIAL_V6) addCidr(this.#special, cidr);
  }

  /** A fetch that refuses special-purpose addresses unless allowed (`CIDR` or `CIDR:port`) and cross-host redirects. */
  createFetch(allowAddresses: string[]): typeof fetch {
    const rules = allowAddresses.map(parseAllow);
    const guarded = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const request = new Request(input, init);
      let url = new URL(request.url);
      const host = url.host;
      for (let hop = 0; ; hop++) {
        await this.#check(url, rules);
        const response = await fetch(url, {
          method: request.method,
          headers: request.headers,
          body: hop === 0 && request.body ? await request.arrayBuffer() : null,
          signal: request.signal,
          redirect: 'manual',
        });
        const location = response.headers.get('location');
        if (response.status < 300 || response.status >= 400 || location === null) return response;
        await response.body?.cancel();
        const next = new URL(location, url);
        if (next.host !== host || hop >= MAX_REDIRECTS)
          throw new AgentdError('EGRESS_DENIED', `redirect to ${next.host} refused`);
        url = next;
      }
    };
    return guarded;
  }

  async #check(url: URL, rules: AllowRule[]): Promise<void> {
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new AgentdError('EGRESS_DENIED', `scheme ${url.protocol} refused`);
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const addresses = isIP(hostname)
      ? [hostname]
      : (await lookup(hostname, { all: true })).map((a) => a.address);
    for (const raw of addresses) {
      const address =
        raw.toLowerCase().startsWith('::ffff:') && isIP(raw.slice(7)) === 4 ? raw.slice(7) : raw;
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (!this.#special.check(address, family)) continue;
      const allowed = rules.some(
        (r) => r.list.check(address, family) && (r.port === undefined || r.port === port),
      );
      if (!allowed)
        throw new AgentdError('EGRESS_DENIED', `address ${address} of ${url.hostname} is not allowed`);
    }
  }
}

function parseAllow(entry: string): AllowRule {
  const match = /^(.+\/\d{1,3})(?::(\d{1,5}))?$/.exec(entry.trim());
  if (!match?.[1]) throw new AgentdError('VALIDATION_FAILED', `bad allow rule ${entry}`);
  const list = new BlockList();
  addCidr(list, match[1]);
  return { list, port: match[2] === undefined ? undefined : Number(match[2]) };
}

function addCidr(list: BlockList, cidr: string): void {
  const [address = '', bits = '0'] = cidr.split('/');
  list.addSubnet(address, Number(bits), isIP(address) === 6 ? 'ipv6' : 'ipv4');
}
