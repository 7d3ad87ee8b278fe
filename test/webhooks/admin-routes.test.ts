import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ADMIN_KEY, DASHBOARD_KEY, startTestServer, type TestServer } from '../support/test-server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  await server.seed({ partner: 'demo', domains: ['garden-tools.example'] });
});

afterAll(async () => {
  expect(await server.totalsMismatches()).toEqual([]);
  await server.close();
});

function batchImport(body: unknown, key: string | null = ADMIN_KEY) {
  return fetch(`${server.url}/yield-webhooks/batch-import`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'x-internal-key': key } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function confirm(id: string, key: string | null = ADMIN_KEY) {
  return fetch(`${server.url}/yield-webhooks/confirm/${id}`, { method: 'POST', headers: key ? { 'x-internal-key': key } : {} });
}

const row = (transactionId: string, overrides: Record<string, unknown> = {}) => ({
  domain: 'garden-tools.example',
  event_type: 'sale',
  partner_slug: 'demo',
  transaction_id: transactionId,
  gross_amount: 12.5,
  currency: 'EUR',
  ...overrides,
});

describe('batch-import route', () => {
  it('imports rows and reports row errors', async () => {
    const response = await batchImport({
      transactions: [
        row('batch-1'),
        row('batch-2', { status: 'confirmed', created_at: '2026-11-28T14:05:09Z' }),
        row('batch-1'),
        row('batch-3', { event_type: 'refund' }),
        row('batch-4', { currency: 'EURO' }),
        'not a row',
      ],
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ success: false, imported: 2, updated: 0, skipped: 1 });
    expect(body.errors.map((error: { index: number }) => error.index)).toEqual([3, 4, 5]);

    const stored = await server.database.prisma.transaction.findFirstOrThrow({ where: { partnerTransactionId: 'batch-2' } });
    expect(stored.grossAmount.toFixed(6)).toBe('12.500000');
    expect(stored.status).toBe('CONFIRMED');
    expect(stored.occurredAt.toISOString()).toBe('2026-11-28T14:05:09.000Z');
  });

  it.each([
    ['no key', null, 401],
    ['the dashboard key', DASHBOARD_KEY, 401],
  ])('rejects %s without importing', async (_label, key, status) => {
    const before = await server.database.prisma.transaction.count();
    const response = await batchImport({ transactions: [row('unauthorized-1')] }, key);
    expect(response.status).toBe(status);
    expect(await server.database.prisma.transaction.count()).toBe(before);
  });

  it.each([
    ['a missing transactions array', { rows: [] }, 422],
    ['invalid JSON', '{"transactions": [', 400],
  ])('rejects %s', async (_label, body, status) => {
    const response = await batchImport(body);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('confirm route', () => {
  it('confirms a pending transaction once', async () => {
    await batchImport({ transactions: [row('confirm-me', { gross_amount: '10.00' })] });
    const { id } = await server.database.prisma.transaction.findFirstOrThrow({ where: { partnerTransactionId: 'confirm-me' } });

    const first = await confirm(String(id));
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ success: true, transaction_id: id });

    const second = await confirm(String(id));
    expect(second.status).toBe(409);
    const revenue = await server.graphql('{ domainRevenue(domain: "garden-tools.example") { totals { currency confirmedNet } } }');
    expect(revenue.body.data.domainRevenue.totals).toContainEqual({ currency: 'EUR', confirmedNet: '15.750000' });
  });

  it.each([
    ['an unknown id', '987654', ADMIN_KEY, 404],
    ['a non-numeric id', 'abc', ADMIN_KEY, 404],
    ['no key', '1', null, 401],
  ])('answers %s with its status', async (_label, id, key, status) => {
    const response = await confirm(id, key);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  });
});
