import { AgentdError } from '../common/errors.js';
import type {
  ApiKeyRepository,
  AuditRepository,
  ConversationRepository,
  EgressAuditRepository,
  MessageRepository,
  ModelRepository,
  ReapRepository,
  RunRepository,
  SecretRepository,
  SettingsRepository,
  Store,
  TenantRepository,
  UsageRepository,
} from '../store/repositories.js';
import { PrismaApiKeyRepository } from './api-key-repository.js';
import { PrismaAuditRepository } from './audit-repository.js';
import { PrismaConversationRepository } from './conversation-repository.js';
import { PrismaEgressAuditRepository } from './egress-audit-repository.js';
import { toDomainError, withDomainErrors } from './db-errors.js';
import type { PrismaClient } from './generated/client.js';
import { PrismaMessageRepository } from './message-repository.js';
import { PrismaModelRepository } from './model-repository.js';
import { PrismaReapRepository } from './reap-repository.js';
import { PrismaRunRepository } from './run-repository.js';
import { PrismaSecretRepository } from './secret-repository.js';
import { PrismaSettingsRepository } from './settings-repository.js';
import { PrismaTenantRepository } from './tenant-repository.js';
import { PrismaUsageRepository } from './usage-repository.js';

const PING_TIMEOUT_MS = 5_000;

/** Every repository over one Prisma client; database failures surface as domain errors. */
export class PrismaStore implements Store {
  readonly tenants: TenantRepository;
  readonly models: ModelRepository;
  readonly conversations: ConversationRepository;
  readonly messages: MessageRepository;
  readonly runs: RunRepository;
  readonly usage: UsageRepository;
  readonly reaps: ReapRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly audit: AuditRepository;
  readonly egressAudit: EgressAuditRepository;
  readonly settings: SettingsRepository;
  readonly secrets: SecretRepository;
  private closed: Promise<void> | undefined;

  constructor(private readonly prisma: PrismaClient) {
    this.tenants = withDomainErrors(new PrismaTenantRepository(prisma));
    this.models = withDomainErrors(new PrismaModelRepository(prisma));
    this.conversations = withDomainErrors(new PrismaConversationRepository(prisma));
    this.messages = withDomainErrors(new PrismaMessageRepository(prisma));
    this.runs = withDomainErrors(new PrismaRunRepository(prisma));
    this.usage = withDomainErrors(new PrismaUsageRepository(prisma));
    this.reaps = withDomainErrors(new PrismaReapRepository(prisma));
    this.apiKeys = withDomainErrors(new PrismaApiKeyRepository(prisma));
    this.audit = withDomainErrors(new PrismaAuditRepository(prisma));
    this.egressAudit = withDomainErrors(new PrismaEgressAuditRepository(prisma));
    this.settings = withDomainErrors(new PrismaSettingsRepository(prisma));
    this.secrets = withDomainErrors(new PrismaSecretRepository(prisma));
  }

  /** A stalled server (not just a dead one) fails the probe too, after `timeoutMs`. */
  async ping(timeoutMs = PING_TIMEOUT_MS): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const stalled = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        reject(
          new AgentdError('DEPENDENCY_UNAVAILABLE', `the database did not answer within ${timeoutMs} ms`, {
            recoverable: true,
            details: { dependency: 'postgres' },
          }),
        );
      }, timeoutMs);
    });
    try {
      await Promise.race([this.prisma.$queryRaw`SELECT 1`, stalled]);
    } catch (err) {
      throw toDomainError(err);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Safe to call more than once. */
  /** A write still in flight must not hold shutdown forever: after a grace period the pool is left behind. */
  close(timeoutMs = 5_000): Promise<void> {
    this.closed ??= Promise.race([
      this.prisma.$disconnect(),
      new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref()),
    ]);
    return this.closed;
  }
}
