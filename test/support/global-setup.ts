import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { TestProject } from 'vitest/node';

import { openDatabase } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import { databaseUrlWithName, withAdminClient } from './databases.js';

declare module 'vitest' {
  export interface ProvidedContext {
    template: { kind: 'pglite'; dir: string } | { kind: 'postgresql'; url: string; name: string };
  }
}

/**
 * Migrates one template database per run. Test files copy it, which is far
 * cheaper than creating and migrating a database each.
 */
export default async function setup(project: TestProject) {
  const serverUrl = process.env.TEST_DATABASE_URL;

  if (!serverUrl) {
    const dir = await mkdtemp(path.join(tmpdir(), 'yield-ledger-template-'));
    const database = await openDatabase({ databaseUrl: undefined, dataDir: dir, databasePoolSize: 1 });
    const session = await database.sqlSession();
    await migrate(session);
    await database.close();
    project.provide('template', { kind: 'pglite', dir });
    return () => rm(dir, { recursive: true, force: true });
  }

  const name = `yield_ledger_template_${process.pid}`;
  await withAdminClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).then(() => client.query(`CREATE DATABASE "${name}"`)));
  const database = await openDatabase({ databaseUrl: databaseUrlWithName(serverUrl, name), dataDir: '', databasePoolSize: 1 });
  const session = await database.sqlSession();
  await migrate(session);
  await session.release();
  await database.close();
  project.provide('template', { kind: 'postgresql', url: serverUrl, name });
  return () => withAdminClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined);
}
