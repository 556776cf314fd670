import type { Coordination } from '../coordination/coordination.js';
import type { Database } from '../db/create-database.js';
import type { DockerEngine } from '../docker/docker-engine.js';
import type { DependencyCheck } from '../health/health-service.js';

/** What `/health` asks: PostgreSQL (or embedded PGlite), the engine, the workspace store and Redis. */
export function dependencyChecks(deps: {
  database: Database;
  docker: DockerEngine;
  engineVersion: string;
  workspaceStore: DependencyCheck;
  coordination: Coordination;
}): DependencyCheck[] {
  const { database, docker, coordination } = deps;
  const embedded = database.kind === 'pglite';
  return [
    {
      name: 'postgres',
      mode: embedded ? 'embedded' : 'service',
      critical: true,
      check: async () => {
        await database.store.ping();
        return embedded ? 'embedded PGlite in the state directory' : undefined;
      },
    },
    {
      name: 'docker',
      mode: 'service',
      critical: true,
      check: async () => {
        await docker.ping();
        return `engine ${deps.engineVersion}`;
      },
    },
    deps.workspaceStore,
    coordination.mode === 'redis'
      ? {
          name: 'redis',
          mode: 'service',
          critical: true,
          check: async () => {
            await coordination.ping();
            return undefined;
          },
        }
      : {
          name: 'redis',
          mode: 'embedded',
          critical: false,
          check: () =>
            Promise.resolve(
              'not configured: locks, sandbox registry, rate limits and the event log are in-process (single node)',
            ),
        },
  ];
}
