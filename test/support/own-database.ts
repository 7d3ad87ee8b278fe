import { afterAll, beforeAll, inject } from 'vitest';

import { loadConfig } from '../../src/config.js';
import { openDatabase, type Database } from '../../src/db/client.js';
import { createTestDatabase, type TestDatabase } from './databases.js';

export interface OwnDatabase {
  database: Database;
  testDatabase: TestDatabase;
}

/**
 * Gives the calling test file a migrated database of its own, opened before
 * its tests and dropped after them. Read the fields inside tests and hooks.
 */
export function useOwnDatabase(): OwnDatabase {
  const own = {} as OwnDatabase;
  beforeAll(async () => {
    own.testDatabase = await createTestDatabase(inject('template'));
    own.database = await openDatabase(loadConfig({ ...own.testDatabase.env }));
  });
  afterAll(async () => {
    await own.database.close();
    await own.testDatabase.drop();
  });
  return own;
}
