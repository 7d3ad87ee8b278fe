import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import pg from 'pg';

/** A database of its own for one test file, and the way to remove it. */
export interface TestDatabase {
  /** Environment for loadConfig: DATABASE_URL or DATA_DIR. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

export function databaseUrlWithName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/**
 * Creates a fresh database from the migrated template the global setup
 * made: a copied PGlite folder, or a PostgreSQL database created from the
 * template database.
 */
export async function createTestDatabase(template: { kind: 'pglite'; dir: string } | { kind: 'postgresql'; url: string; name: string }): Promise<TestDatabase> {
  if (template.kind === 'pglite') {
    const dir = await mkdtemp(path.join(tmpdir(), 'yield-ledger-test-'));
    await cp(template.dir, dir, { recursive: true });
    return { env: { DATA_DIR: dir }, drop: () => rm(dir, { recursive: true, force: true }) };
  }

  const name = `yield_ledger_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  await withAdminClient(template.url, async (client) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE "${name}" TEMPLATE "${template.name}"`);
        return;
      } catch (error) {
        // Two files copying the template at the same moment collide; wait and retry.
        if (attempt >= 20 || !/being accessed by other users/.test((error as Error).message)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 300));
      }
    }
  });
  return {
    env: { DATABASE_URL: databaseUrlWithName(template.url, name) },
    drop: () => withAdminClient(template.url, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}

export async function withAdminClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
