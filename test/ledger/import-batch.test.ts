import { readFileSync } from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { importBatch, type ImportRow } from '../../src/ledger/import-batch.js';
import type { CurrencyTotal } from '../../src/ledger/revenue.js';
import { readAwinReport } from '../../src/reports/awin-report.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const IMPORT = `mutation ($input: ImportBatchInput!) {
  importBatch(input: $input) {
    __typename
    ... on MutationImportBatchSuccess { data { imported updated skipped errors { index code message } } }
    ... on Error { message }
  }
}`;

const DOMAINS = { bulk: 'bulk-import.example', awin: 'awin-report.example', rules: 'import-rules.example', other: 'other-domain.example' };

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  await server.seed({ partner: 'demo', domains: Object.values(DOMAINS) });
});

afterAll(async () => {
  expect(await server.totalsMismatches()).toEqual([]);
  await server.close();
});

async function totalsIn(domain: string, currency: string): Promise<CurrencyTotal | undefined> {
  const result = await server.graphql(
    `query ($domain: String!) { domainRevenue(domain: $domain) { totals { currency confirmedGross confirmedNet pendingGross pendingNet clicks leads sales } } }`,
    { domain },
  );
  return result.body.data.domainRevenue.totals.find((total: CurrencyTotal) => total.currency === currency);
}

function row(domain: string, transactionId: string, overrides: Partial<ImportRow> = {}): ImportRow {
  return { domain, eventType: 'SALE', partner: 'demo', transactionId, grossAmount: '10.00', currency: 'EUR', ...overrides };
}

describe('importBatch at scale', () => {
  // 4,989 distinct rows, 10 repeats of earlier rows and one row with an invalid currency.
  const INVALID_INDEX = 2500;
  const rows: Record<string, unknown>[] = [];
  for (let next = 0; rows.length < 5000; ) {
    if (rows.length === INVALID_INDEX) {
      rows.push({ ...graphqlRow(`bulk-invalid`), currency: 'EURO' });
    } else if (rows.length % 500 === 499) {
      rows.push(graphqlRow(`bulk-${rows.length - 250}`));
    } else {
      rows.push(graphqlRow(`bulk-${next++}`, next % 3 === 0 ? 'CONFIRMED' : undefined));
    }
  }

  function graphqlRow(transactionId: string, status?: string) {
    const amount = `${(transactionId.length % 7) + 1}.${String(transactionId.length * 13).padStart(2, '0').slice(-2)}`;
    return { domain: DOMAINS.bulk, eventType: 'SALE', partner: 'demo', transactionId, grossAmount: amount, currency: 'EUR', ...(status ? { status } : {}) };
  }

  it('reports the counts in a dry run without writing', async () => {
    const result = await server.graphql(IMPORT, { input: { rows, dryRun: true } });
    expect(result.body.data.importBatch.data).toMatchObject({ imported: 4989, updated: 0, skipped: 10 });
    expect(result.body.data.importBatch.data.errors).toEqual([{ index: INVALID_INDEX, code: 'INVALID_FIELD', message: expect.stringContaining('EURO') }]);
    expect(await server.database.prisma.transaction.count({ where: { domain: { name: DOMAINS.bulk } } })).toBe(0);
    expect(await totalsIn(DOMAINS.bulk, 'EUR')).toBeUndefined();
  });

  it('imports 4,989 rows, skips 10 repeats and reports the invalid row', async () => {
    const result = await server.graphql(IMPORT, { input: { rows } });
    expect(result.body.data.importBatch.data).toMatchObject({ imported: 4989, updated: 0, skipped: 10 });
    expect(result.body.data.importBatch.data.errors).toEqual([{ index: INVALID_INDEX, code: 'INVALID_FIELD', message: expect.stringContaining('EURO') }]);
    expect(await server.database.prisma.transaction.count({ where: { domain: { name: DOMAINS.bulk } } })).toBe(4989);
    expect(await server.database.prisma.transactionChange.count({ where: { transaction: { domain: { name: DOMAINS.bulk } }, source: 'IMPORT' } })).toBe(4989);
    expect(await server.totalsMismatches()).toEqual([]);
  });

  it('imports nothing the second time', async () => {
    const before = await totalsIn(DOMAINS.bulk, 'EUR');
    const result = await server.graphql(IMPORT, { input: { rows } });
    expect(result.body.data.importBatch.data).toMatchObject({ imported: 0, updated: 0, skipped: 4999 });
    expect(result.body.data.importBatch.data.errors).toHaveLength(1);
    expect(await totalsIn(DOMAINS.bulk, 'EUR')).toEqual(before);
    expect(await server.totalsMismatches()).toEqual([]);
  });
});

describe('importBatch rules', () => {
  it('applies a repeat with new content as an update', async () => {
    const db = server.database.prisma;
    const result = await importBatch(db, [
      row(DOMAINS.rules, 'rules-1'),
      row(DOMAINS.rules, 'rules-1', { status: 'CONFIRMED' }),
      row(DOMAINS.rules, 'rules-1', { status: 'PENDING' }),
      row(DOMAINS.rules, 'rules-1', { status: 'CONFIRMED', grossAmount: '12.00' }),
    ]);
    expect(result).toEqual({ imported: 1, updated: 2, skipped: 1, errors: [] });

    const stored = await db.transaction.findFirstOrThrow({ where: { partnerTransactionId: 'rules-1' }, include: { changes: { orderBy: { id: 'asc' } } } });
    expect(stored.status).toBe('CONFIRMED');
    expect(stored.grossAmount.toFixed(6)).toBe('12.000000');
    expect(stored.netAmount.toFixed(6)).toBe('8.400000');
    expect(stored.confirmedAt).not.toBeNull();
    expect(stored.changes.map((change) => [change.oldStatus, change.newStatus, change.applied, change.source])).toEqual([
      [null, 'PENDING', true, 'IMPORT'],
      ['PENDING', 'CONFIRMED', true, 'IMPORT'],
      ['CONFIRMED', 'PENDING', false, 'IMPORT'],
      ['CONFIRMED', 'CONFIRMED', true, 'IMPORT'],
    ]);
    expect(await totalsIn(DOMAINS.rules, 'EUR')).toMatchObject({ confirmedGross: '12.000000', confirmedNet: '8.400000', pendingGross: '0.000000', sales: 1 });
  });

  it('writes nothing of a row with a conflicting identity', async () => {
    const db = server.database.prisma;
    const result = await importBatch(db, [
      row(DOMAINS.rules, 'conflict-1', { grossAmount: '5.00' }),
      row(DOMAINS.other, 'conflict-1', { grossAmount: '7.00', status: 'CONFIRMED' }),
      row(DOMAINS.rules, 'conflict-1', { grossAmount: '5.00', currency: 'USD' }),
      row(DOMAINS.rules, 'conflict-2', { eventType: 'LEAD' }),
    ]);
    expect(result.imported).toBe(2);
    expect(result.errors.map((error) => [error.index, error.code])).toEqual([
      [1, 'CONFLICT'],
      [2, 'CONFLICT'],
    ]);

    const stored = await db.transaction.findFirstOrThrow({ where: { partnerTransactionId: 'conflict-1' }, include: { changes: true } });
    expect(stored.status).toBe('PENDING');
    expect(stored.grossAmount.toFixed(6)).toBe('5.000000');
    expect(stored.changes).toHaveLength(1);
    expect(await totalsIn(DOMAINS.other, 'EUR')).toBeUndefined();
    expect(await totalsIn(DOMAINS.other, 'USD')).toBeUndefined();
  });

  it('reports a NUL character as a row error', async () => {
    const result = await importBatch(server.database.prisma, [row(DOMAINS.rules, 'nul\u0000id'), row(DOMAINS.rules, 'after-nul')]);
    expect(result.imported).toBe(1);
    expect(result.errors).toEqual([{ index: 0, code: 'INVALID_FIELD', message: 'transactionId must be valid Unicode text without NUL characters (U+0000)' }]);
  });

  it('attributes a sale to a click from an earlier row', async () => {
    const db = server.database.prisma;
    await importBatch(db, [
      row(DOMAINS.rules, 'sale-before-click', { clickId: 'click-abc' }),
      row(DOMAINS.rules, 'click-1', { eventType: 'CLICK', clickId: 'click-abc', grossAmount: '0' }),
      row(DOMAINS.rules, 'sale-after-click', { clickId: 'click-abc' }),
    ]);
    const click = await db.transaction.findFirstOrThrow({ where: { partnerTransactionId: 'click-1' } });
    const before = await db.transaction.findFirstOrThrow({ where: { partnerTransactionId: 'sale-before-click' } });
    const after = await db.transaction.findFirstOrThrow({ where: { partnerTransactionId: 'sale-after-click' } });
    expect(before.attributedClickId).toBeNull();
    expect(after.attributedClickId).toBe(click.id);
    expect(click.status).toBe('CONFIRMED');
  });

  it('counts the same across chunk sizes', async () => {
    const db = server.database.prisma;
    const rows = [0, 1, 2, 1, 0, 3].map((n, position) => row(DOMAINS.rules, `chunked-${n}`, position > 3 ? { status: 'CONFIRMED' } : {}));
    const dry = await importBatch(db, rows, { dryRun: true, chunkSize: 1 });
    const real = await importBatch(db, rows, { chunkSize: 2 });
    expect(real).toEqual(dry);
    expect(real).toEqual({ imported: 4, updated: 1, skipped: 1, errors: [] });
  });
});

describe('Awin transactions report', () => {
  // One report line as Awin's transactions API writes it, with the fields the import reads.
  const line = (id: number, commissionStatus: string, amount: string) =>
    `{"id": ${id}, "commissionStatus": "${commissionStatus}", "commissionAmount": {"amount": ${amount}, "currency": "GBP"},` +
    ` "saleAmount": {"amount": 100.0, "currency": "GBP"}, "clickRefs": {"clickRef": "${DOMAINS.awin}"},` +
    ` "transactionDate": "2026-11-28T14:05:09", "validationDate": null, "type": "Commission group transaction", "amended": false, "declineReason": null}`;

  it('moves the totals by exactly the report changes', async () => {
    const db = server.database.prisma;
    const ledger = (id: string, grossAmount: string, status: 'PENDING' | 'CONFIRMED'): ImportRow => ({
      domain: DOMAINS.awin,
      eventType: 'SALE',
      partner: 'awin',
      transactionId: id,
      grossAmount,
      currency: 'GBP',
      status,
    });
    await importBatch(db, [
      ledger('900001', '10.00', 'PENDING'),
      ledger('900002', '20.00', 'PENDING'),
      ledger('900003', '30.00', 'PENDING'),
      ledger('900004', '40.00', 'CONFIRMED'),
      ledger('900005', '50.00', 'PENDING'),
      ledger('900006', '5.00', 'CONFIRMED'),
    ]);
    const before = await totalsIn(DOMAINS.awin, 'GBP');
    expect(before).toMatchObject({ confirmedGross: '45.000000', pendingGross: '110.000000', sales: 6 });

    const text = `[${[
      line(900001, 'approved', '10.00'),
      line(900002, 'approved', '20.0'),
      line(900003, 'approved', '30'),
      line(900004, 'declined', '40.00'),
      line(900005, 'pending', '55.50'),
      line(900006, 'approved', '5.00'),
    ].join(',\n')}]`;
    const report = readAwinReport(text, { partner: 'awin', timeZone: 'Europe/London' });
    expect(report.errors).toEqual([]);
    const result = await importBatch(db, report.rows);
    expect(result).toEqual({ imported: 0, updated: 5, skipped: 1, errors: [] });

    // +60 approved, −40 declined after approval, +5.50 amended; net is 70 % of each.
    expect(await totalsIn(DOMAINS.awin, 'GBP')).toEqual({
      currency: 'GBP',
      confirmedGross: '65.000000',
      confirmedNet: '45.500000',
      pendingGross: '55.500000',
      pendingNet: '38.850000',
      clicks: 0,
      leads: 0,
      sales: 6,
    });

    const changes = await db.transactionChange.findMany({
      where: { transaction: { partnerTransactionId: { in: ['900001', '900002', '900003', '900004', '900005'] } }, oldStatus: { not: null } },
      include: { transaction: { select: { partnerTransactionId: true } } },
      orderBy: { id: 'asc' },
    });
    expect(changes.map((change) => [change.transaction.partnerTransactionId, change.source, change.oldStatus, change.newStatus, change.newGrossAmount.toFixed(2)])).toEqual([
      ['900001', 'IMPORT', 'PENDING', 'CONFIRMED', '10.00'],
      ['900002', 'IMPORT', 'PENDING', 'CONFIRMED', '20.00'],
      ['900003', 'IMPORT', 'PENDING', 'CONFIRMED', '30.00'],
      ['900004', 'IMPORT', 'CONFIRMED', 'REVERSED', '40.00'],
      ['900005', 'IMPORT', 'PENDING', 'PENDING', '55.50'],
    ]);
  });

  it('imports the shipped example report', async () => {
    const text = readFileSync(new URL('../fixtures/awin-transactions-report.json', import.meta.url), 'utf8');
    await server.seed({ partner: 'demo', domains: ['garden-tools.example'] });
    const report = readAwinReport(text, { partner: 'awin', timeZone: 'UTC' });
    const result = await importBatch(server.database.prisma, report.rows);
    expect(result).toEqual({ imported: 4, updated: 0, skipped: 0, errors: [] });

    const statuses = await server.database.prisma.transaction.findMany({
      where: { partner: { slug: 'awin' }, domain: { name: 'garden-tools.example' } },
      select: { partnerTransactionId: true, status: true, grossAmount: true, currency: true },
      orderBy: { partnerTransactionId: 'asc' },
    });
    expect(statuses.map((entry) => [entry.partnerTransactionId, entry.status, entry.grossAmount.toFixed(2), entry.currency])).toEqual([
      ['105956531', 'CONFIRMED', '1.64', 'GBP'],
      ['105956532', 'PENDING', '0.96', 'GBP'],
      ['105956540', 'REJECTED', '2.40', 'GBP'],
      ['105956577', 'REJECTED', '0.50', 'GBP'],
    ]);
  });
});
