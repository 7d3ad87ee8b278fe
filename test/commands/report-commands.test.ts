import { spawnSync } from 'node:child_process';

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { loadConfig } from '../../src/config.js';
import { openDatabase, type Database } from '../../src/db/client.js';
import { upsertDomain } from '../../src/ledger/domains.js';
import { checkTotals } from '../../src/ledger/invariant-check.js';
import { upsertPartner } from '../../src/ledger/partners.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';

const CSV = 'test/fixtures/report.csv';

function runCli(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, ['bin/yield-ledger.mjs', ...args], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
}

// The commands open the database themselves, so this file keeps it closed
// except while it seeds or checks it.
let target: TestDatabase;

async function withDatabase<T>(work: (database: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase(loadConfig({ ...target.env }));
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

beforeAll(async () => {
  target = await createTestDatabase(inject('template'));
  await withDatabase(async ({ prisma }) => {
    await upsertPartner(prisma, { slug: 'demo', name: 'Demo' });
    await upsertDomain(prisma, { domain: 'garden-tools.example', userId: 1 });
  });
});

afterAll(async () => {
  expect(await withDatabase(({ prisma }) => checkTotals(prisma))).toEqual([]);
  await target.drop();
});

describe('import command', () => {
  it('counts a dry run without writing', async () => {
    const result = runCli(['import', CSV, '--partner', 'demo', '--dry-run'], target.env);
    expect(result.stdout).toContain('Dry run: nothing was written');
    expect(result.stdout).toMatch(/^4\s+3\s+0\s+0\s+1$/m);
    expect(result.status).toBe(1);
    expect(await withDatabase(({ prisma }) => prisma.transaction.count())).toBe(0);
  });

  it('imports and exits 1 for a failed row', () => {
    const result = runCli(['import', CSV, '--partner', 'demo', '--json'], target.env);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ rows: 4, imported: 3, updated: 0, skipped: 0, failed: 1 });
    expect(summary.errors).toEqual([{ index: 3, code: 'INVALID_FIELD', message: expect.stringContaining('EURO') }]);
    expect(result.status).toBe(1);
  });

  it('imports nothing the second time', () => {
    const result = runCli(['import', CSV, '--partner', 'demo', '--json'], target.env);
    expect(JSON.parse(result.stdout)).toMatchObject({ imported: 0, skipped: 3, failed: 1 });
  });

  it.each([
    ['a missing partner', ['import', CSV], 2, '--partner is required'],
    ['an unknown format', ['import', CSV, '--partner', 'demo', '--format', 'xml'], 2, '--format "xml" is unknown'],
    ['an unknown time zone', ['import', CSV, '--partner', 'demo', '--timezone', 'Mars/Base'], 2, 'Mars/Base'],
    ['a missing file', ['import', 'no-such-file.csv', '--partner', 'demo'], 1, 'Cannot read the report file'],
    ['an unknown option', ['import', CSV, '--partner', 'demo', '--force'], 2, "Unknown option '--force'"],
  ])('rejects %s', (_label, args, status, message) => {
    const result = runCli(args as string[], target.env);
    expect(result.stderr).toContain(message);
    expect(result.status).toBe(status);
  });
});

describe('reconcile command', () => {
  it('lists the rows missing from the ledger', () => {
    const result = runCli(['reconcile', CSV, '--partner', 'demo', '--from', '2026-11-01', '--to', '2026-12-01', '--json'], target.env);
    const diff = JSON.parse(result.stdout);
    expect(diff.matched).toBe(3);
    expect(diff.missingFromLedger).toEqual([expect.objectContaining({ index: 3, transactionId: 'csv-4', currency: 'EURO' })]);
    expect(diff.missingFromReport).toEqual([]);
    expect(result.status).toBe(0);
  });

  it('requires the period', () => {
    const result = runCli(['reconcile', CSV, '--partner', 'demo', '--from', '2026-11-01'], target.env);
    expect(result.stderr).toContain('--to is required');
    expect(result.status).toBe(2);
  });
});

describe.skipIf(inject('template').kind !== 'pglite')('embedded database held by a server', () => {
  it('names the process that holds the folder', async () => {
    const database = await openDatabase(loadConfig({ ...target.env }));
    try {
      const result = runCli(['import', CSV, '--partner', 'demo'], target.env);
      expect(result.stderr).toContain(`already open in process ${process.pid}`);
      expect(result.stderr).toContain('A running yield-ledger server holds that folder');
      expect(result.status).toBe(1);
    } finally {
      await database.close();
    }
  });
});
