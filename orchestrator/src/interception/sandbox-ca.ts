import 'reflect-metadata';
import { createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import {
  GeneralName,
  GeneralSubtree,
  GeneralSubtrees,
  id_ce_nameConstraints,
  NameConstraints,
} from '@peculiar/asn1-x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import * as x509 from '@peculiar/x509';

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
/** Clocks in a sandbox and on the origin's side may lag agentd's a little. */
const BACKDATE_MS = 5 * 60_000;

export interface SandboxCaOptions {
  /** Names the CA may vouch for: exact names, or `*.name` (any name below `name`). */
  hosts: readonly string[];
  label: string;
  caLifetimeMs: number;
  leafLifetimeMs: number;
  now?: () => Date;
}

export interface LeafCertificate {
  certPem: string;
  /** The leaf key (one per sandbox CA, shared by its leaves); TLS contexts take it as PEM. */
  keyPem: string;
  notAfter: Date;
}

/**
 * A per-sandbox certificate authority for credential injection. Its certificate is name-constrained
 * (critical) to the injection hosts and excludes every IP address, so a stolen bundle or a mis-issued leaf
 * cannot vouch for anything else; the CA's private key is a non-extractable WebCrypto key that lives only in
 * agentd's memory.
 */
export class SandboxCa {
  readonly #leaves = new Map<string, LeafCertificate>();

  private constructor(
    readonly certificate: x509.X509Certificate,
    readonly hosts: readonly string[],
    private readonly caKeys: webcrypto.CryptoKeyPair,
    private readonly leafKeys: { crypto: webcrypto.CryptoKeyPair; keyPem: string },
    private readonly options: SandboxCaOptions,
  ) {}

  static async create(options: SandboxCaOptions): Promise<SandboxCa> {
    const now = options.now?.() ?? new Date();
    const caKeys = await webcrypto.subtle.generateKey(ALGORITHM, false, ['sign', 'verify']);
    const certificate = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(),
      name: [{ CN: [`agentd sandbox CA ${options.label}`] }, { O: ['agentd'] }],
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter: new Date(now.getTime() + options.caLifetimeMs),
      keys: caKeys,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        nameConstraints(options.hosts),
        await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
      ],
    });
    const leafCrypto = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
    const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', leafCrypto.privateKey);
    const keyPem = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' })
      .export({ format: 'pem', type: 'pkcs8' })
      .toString();
    return new SandboxCa(certificate, [...options.hosts], caKeys, { crypto: leafCrypto, keyPem }, options);
  }

  get certPem(): string {
    return this.certificate.toString('pem');
  }

  get notAfter(): Date {
    return this.certificate.notAfter;
  }

  /** A leaf for `host`, cached until half its lifetime has passed (so a client never sees it expire). */
  async leafFor(host: string): Promise<LeafCertificate> {
    const now = this.#now();
    const cached = this.#leaves.get(host);
    if (cached && cached.notAfter.getTime() - now.getTime() > this.options.leafLifetimeMs / 2) return cached;
    const notAfter = new Date(
      Math.min(now.getTime() + this.options.leafLifetimeMs, this.certificate.notAfter.getTime()),
    );
    const leaf = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: [{ CN: [host] }],
      issuer: this.certificate.subject,
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter,
      publicKey: this.leafKeys.crypto.publicKey,
      signingKey: this.caKeys.privateKey,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: host }]),
        await x509.AuthorityKeyIdentifierExtension.create(this.caKeys.publicKey),
      ],
    });
    const issued = { certPem: leaf.toString('pem'), keyPem: this.leafKeys.keyPem, notAfter };
    this.#leaves.set(host, issued);
    return issued;
  }

  #now(): Date {
    return this.options.now?.() ?? new Date();
  }
}

/** Permitted: the injection names (a `*.name` rule permits the subtree `name`). Excluded: all IP addresses. */
function nameConstraints(hosts: readonly string[]): x509.Extension {
  const names = [...new Set(hosts.map((h) => (h.startsWith('*.') ? h.slice(2) : h)))];
  const value = new NameConstraints({
    permittedSubtrees: new GeneralSubtrees(
      names.map((dNSName) => new GeneralSubtree({ base: new GeneralName({ dNSName }) })),
    ),
    excludedSubtrees: new GeneralSubtrees([
      new GeneralSubtree({ base: new GeneralName({ iPAddress: '0.0.0.0/0' }) }),
      new GeneralSubtree({ base: new GeneralName({ iPAddress: '::/0' }) }),
    ]),
  });
  return new x509.Extension(id_ce_nameConstraints, true, AsnConvert.serialize(value));
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}
