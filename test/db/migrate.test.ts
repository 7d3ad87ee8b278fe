import { cp, mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { describe, expect, inject, it } from 'vitest';

import { openDatabase, type Database } from '../../src/db/client.js';
import { DataDirLockedError } from '../../src/db/data-dir-lock.js';
import { MIGRATIONS_DIR, migrate, MigrationError, pendingMigrations, readMigrations } from '../../src/db/migrate.js';
import { useOwnDatabase } from '../support/own-database.js';

const own = useOwnDatabase();

async function withSession<T>(work: (session: Awaited<ReturnType<Database['sqlSession']>>) => Promise<T>): Promise<T> {
  const session = await own.database.sqlSession();
  try {
    return await work(session);
  } finally {
    await session.release();
  }
}

describe('migration runner', () => {
  it('records migrations as Prisma does', async () => {
    const migrations = await readMigrations();
    const rows = await withSession((session) =>
      session.query<{ migration_name: string; checksum: string; applied_steps_count: number; finished_at: Date | null }>(
        'SELECT migration_name, checksum, applied_steps_count, finished_at FROM "_prisma_migrations" ORDER BY migration_name',
      ),
    );
    expect(rows.map((row) => row.migration_name)).toEqual(migrations.map((migration) => migration.name));
    expect(rows.map((row) => row.checksum)).toEqual(migrations.map((migration) => migration.checksum));
    expect(rows.every((row) => row.applied_steps_count === 1 && row.finished_at !== null)).toBe(true);
  });

  it('applies nothing on a second run', async () => {
    expect(await withSession((session) => migrate(session))).toEqual([]);
    expect(await withSession((session) => pendingMigrations(session))).toEqual([]);
  });

  it('seeds the awin partner', async () => {
    const awin = await own.database.prisma.partner.findUniqueOrThrow({ where: { slug: 'awin' } });
    expect(awin.active).toBe(true);
    expect(awin.revenueShare.toFixed(2)).toBe('0.70');
  });

  it('applies a new migration and rejects an edited one', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'yield-ledger-migrations-'));
    try {
      await cp(MIGRATIONS_DIR, folder, { recursive: true });
      await mkdir(path.join(folder, '29991231000000_add_note'));
      await writeFile(path.join(folder, '29991231000000_add_note', 'migration.sql'), 'CREATE TABLE "migration_probe" ("id" INTEGER);');

      expect(await withSession((session) => pendingMigrations(session, folder))).toEqual(['29991231000000_add_note']);
      expect(await withSession((session) => migrate(session, folder))).toEqual(['29991231000000_add_note']);

      await writeFile(path.join(folder, '29991231000000_add_note', 'migration.sql'), 'CREATE TABLE "migration_probe" ("id" BIGINT);');
      await expect(withSession((session) => migrate(session, folder))).rejects.toThrow(/was changed after it was applied/);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('rolls back a failing migration whole', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'yield-ledger-migrations-'));
    try {
      await cp(MIGRATIONS_DIR, folder, { recursive: true });
      await rm(path.join(folder, '29991231000000_add_note'), { recursive: true, force: true });
      await mkdir(path.join(folder, '29991231000001_broken'));
      await writeFile(path.join(folder, '29991231000001_broken', 'migration.sql'), 'CREATE TABLE "half_done" ("id" INTEGER);\nSELECT no_such_function();');

      await expect(withSession((session) => migrate(session, folder))).rejects.toThrow(MigrationError);
      const leftovers = await withSession((session) => session.query<{ name: string | null }>(`SELECT to_regclass('"half_done"')::text AS name`));
      expect(leftovers[0]?.name).toBeNull();
      expect(await withSession((session) => pendingMigrations(session, folder))).toEqual(['29991231000001_broken']);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});

describe.skipIf(inject('template').kind !== 'pglite')('embedded database folder', () => {
  it('rejects a second opener with a clear message', async () => {
    const dataDir = own.testDatabase.env.DATA_DIR!;
    const second = openDatabase({ databaseUrl: undefined, dataDir, databasePoolSize: 1 });
    await expect(second).rejects.toThrow(DataDirLockedError);
    await expect(second).rejects.toThrow(/already open in process \d+/);
  });

  it('takes over a lock left by a dead process', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'yield-ledger-stale-lock-'));
    try {
      // PID 2^22 + 1 is above Linux's default pid_max, so no process has it.
      await writeFile(path.join(dataDir, 'yield-ledger.pid'), String(2 ** 22 + 1));
      const reopened = await openDatabase({ databaseUrl: undefined, dataDir, databasePoolSize: 1 });
      await reopened.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
