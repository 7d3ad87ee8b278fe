import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { importBatch, type ImportRow } from '../../src/ledger/import-batch.js';
import { reconcileReport } from '../../src/ledger/reconcile.js';
import { parseReportTime } from '../../src/reports/report-time.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const DOMAIN = 'reconcile.example';
const ZONE = 'Europe/Berlin';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  await server.seed({ partner: 'demo', domains: [DOMAIN] });
  await importBatch(server.database.prisma, [
    row('r-1', '10.00', 'PENDING', '2026-11-10T12:00:00Z'),
    row('r-2', '20.00', 'CONFIRMED', '2026-11-12T12:00:00Z'),
    row('r-3', '30.00', 'PENDING', '2026-11-15T12:00:00Z'),
    // 00:30 on 1 November in Berlin, so inside the period only in the report's time zone.
    row('r-4', '5.00', 'PENDING', '2026-10-31T23:30:00Z'),
    row('r-7', '8.00', 'CONFIRMED', '2026-11-20T12:00:00Z'),
  ]);
});

afterAll(async () => {
  expect(await server.totalsMismatches()).toEqual([]);
  await server.close();
});

function row(transactionId: string, grossAmount: string, status: ImportRow['status'], occurredAt: string): ImportRow {
  return { domain: DOMAIN, eventType: 'SALE', partner: 'demo', transactionId, grossAmount, currency: 'EUR', status, occurredAt: new Date(occurredAt) };
}

const report = [
  row('r-1', '10.00', 'CONFIRMED', '2026-11-10T12:00:00Z'),
  row('r-2', '25.00', 'CONFIRMED', '2026-11-12T12:00:00Z'),
  row('r-4', '5', 'PENDING', '2026-10-31T23:30:00Z'),
  row('r-5', '7.00', 'PENDING', '2026-11-20T12:00:00Z'),
  row('r-6', '9.00', 'PENDING', '2026-12-05T12:00:00Z'),
  // A report that goes backwards: the ledger rules keep the confirmed status.
  row('r-7', '8.00', 'PENDING', '2026-11-20T12:00:00Z'),
];
const period = { partner: 'demo', from: parseReportTime('2026-11-01', ZONE)!, to: parseReportTime('2026-12-01', ZONE)! };

describe('reconcileReport', () => {
  it('lists missing rows and mismatches without writing', async () => {
    const result = await reconcileReport(server.database.prisma, report, period);
    expect(result.matched).toBe(1);
    expect(result.outsidePeriod).toBe(1);
    expect(result.missingFromLedger).toEqual([{ index: 3, row: report[3] }]);
    expect(result.missingFromReport.map((entry) => [entry.transactionId, entry.status, entry.grossAmount])).toEqual([['r-3', 'PENDING', '30.000000']]);
    expect(result.mismatches).toEqual([
      { index: 0, id: expect.any(Number), transactionId: 'r-1', field: 'status', ledger: 'PENDING', report: 'CONFIRMED' },
      { index: 1, id: expect.any(Number), transactionId: 'r-2', field: 'grossAmount', ledger: '20.000000', report: '25.00' },
      { index: 5, id: expect.any(Number), transactionId: 'r-7', field: 'status', ledger: 'CONFIRMED', report: 'PENDING' },
    ]);
    expect(result.applied).toBeUndefined();
    expect(await server.database.prisma.transaction.count({ where: { partnerTransactionId: 'r-5' } })).toBe(0);
  });

  it('applies the report under the ledger rules', async () => {
    const result = await reconcileReport(server.database.prisma, report, { ...period, apply: true });
    expect(result.applied).toEqual({ imported: 1, updated: 2, skipped: 1, errors: [] });

    const again = await reconcileReport(server.database.prisma, report, period);
    expect(again.missingFromLedger).toEqual([]);
    expect(again.mismatches.map((mismatch) => mismatch.transactionId)).toEqual(['r-7']);
    expect(again.missingFromReport.map((entry) => entry.transactionId)).toEqual(['r-3']);
  });

  it('counts a decline as matching a reversal', async () => {
    const declined = [row('r-1', '10.00', 'REJECTED', '2026-11-10T12:00:00Z')];
    await importBatch(server.database.prisma, declined);
    const result = await reconcileReport(server.database.prisma, declined, period);
    expect(result.mismatches).toEqual([]);
    expect(result.matched).toBe(1);
  });

  it('rejects rows of another partner', async () => {
    const mixed = [report[0]!, { ...report[1]!, partner: 'awin' }];
    await expect(reconcileReport(server.database.prisma, mixed, period)).rejects.toThrow(/row 1 names partner "awin"/);
  });

  it('runs through the GraphQL mutation', async () => {
    const result = await server.graphql(
      `mutation ($input: ReconcileReportInput!) { reconcileReport(input: $input) {
        __typename
        ... on MutationReconcileReportSuccess { data {
          matched outsidePeriod
          missingFromLedger { index partnerTransactionId grossAmount }
          missingFromReport { partnerTransactionId status grossAmount }
          mismatches { partnerTransactionId field ledger report }
          applied { imported }
        } }
        ... on Error { message }
      } }`,
      {
        input: {
          partner: 'demo',
          from: period.from.toISOString(),
          to: period.to.toISOString(),
          rows: [
            { domain: DOMAIN, eventType: 'SALE', partner: 'demo', transactionId: 'r-2', grossAmount: '26.00', currency: 'EUR', occurredAt: '2026-11-12T12:00:00Z' },
            { domain: DOMAIN, eventType: 'SALE', partner: 'demo', transactionId: 'r-8', grossAmount: '1.00', occurredAt: '2026-11-12T12:00:00Z' },
          ],
        },
      },
    );
    expect(result.body.data.reconcileReport.data).toEqual({
      matched: 0,
      outsidePeriod: 0,
      missingFromLedger: [{ index: 1, partnerTransactionId: 'r-8', grossAmount: '1.00' }],
      missingFromReport: expect.arrayContaining([{ partnerTransactionId: 'r-3', status: 'PENDING', grossAmount: '30.000000' }]),
      mismatches: [{ partnerTransactionId: 'r-2', field: 'grossAmount', ledger: '25.000000', report: '26.00' }],
      applied: null,
    });
  });

  it('rejects an unknown partner', async () => {
    await expect(reconcileReport(server.database.prisma, report, { ...period, partner: 'nobody' })).rejects.toThrow(/Partner "nobody" is not known/);
  });
});
