import { defineConfig } from 'prisma/config';

// Used only by the Prisma CLI (generate, and migrate where its engine exists).
// The server applies migrations with its own runner, src/db/migrate.ts.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/yield_ledger' },
});
