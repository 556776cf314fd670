import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { defineConfig } from 'prisma/config';

// The JavaScript schema engine talks to PostgreSQL through the pg driver adapter, so the CLI never downloads
// an engine binary. DATABASE_URL must be set for every CLI call: without it the CLI falls back to fetching
// binaries from the internet. `prisma generate` accepts any URL; `migrate diff`, even --from-empty, connects.
export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  // allowExitOnIdle: otherwise the idle pooled connection keeps every CLI call alive for 10 more seconds.
  adapter: () =>
    Promise.resolve(new PrismaPg({ connectionString: process.env.DATABASE_URL, allowExitOnIdle: true })),
});
