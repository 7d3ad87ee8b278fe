import { createHash } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { localFixture, startTestServer, type TestServer } from '../support/test-server.js';

const AWIN_TOKEN = 'awin-push-token-7f3c9a1e5b2d4c6e8a0f1b3d5c7e9a1b';
const TRACKER_TOKEN = 'tracker-token-0c2e4a6c8e0a2c4e6a8c0e2a4c6e8a0c';
const PUSH = JSON.parse(localFixture('awin-transaction-push.json')) as Record<string, unknown>;

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  await server.seed({ partner: 'tracker', domains: ['garden-tools.example', 'bücher.example'] });
  const result = await server.graphql(
    `mutation ($awin: UpsertPartnerInput!, $tracker: UpsertPartnerInput!) {
      awin: upsertPartner(input: $awin) { __typename ... on Error { message } }
      tracker: upsertPartner(input: $tracker) { __typename ... on Error { message } }
    }`,
    {
      awin: { slug: 'awin', name: 'Awin', authSchemes: ['HMAC_HEX', 'URL_TOKEN'], urlTokens: [AWIN_TOKEN] },
      tracker: {
        slug: 'tracker',
        name: 'Tracker',
        authSchemes: ['URL_TOKEN'],
        urlTokens: [TRACKER_TOKEN],
        queryMapping: {
          transactionId: 'order_id',
          clickId: 'transaction_id',
          domain: 'adv1',
          amount: 'amount',
          currency: 'currency',
          status: 'adv_event_status',
          statusValues: [
            { value: 'approved', status: 'CONFIRMED' },
            { value: 'pending', status: 'PENDING' },
            { value: 'rejected', status: 'REJECTED' },
          ],
        },
      },
    },
  );
  expect(result.body.data).toEqual({ awin: { __typename: 'MutationUpsertPartnerSuccess' }, tracker: { __typename: 'MutationUpsertPartnerSuccess' } });
});

afterAll(async () => {
  expect(await server.totalsMismatches()).toEqual([]);
  await server.close();
});

function pushForm(push: unknown): string {
  return new URLSearchParams({ AwinTransactionPush: typeof push === 'string' ? push : JSON.stringify(push) }).toString();
}

function postForm(path: string, body: string, contentType = 'application/x-www-form-urlencoded') {
  return fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });
}

async function storedTransaction(response: Response) {
  const answer = await response.json();
  return server.database.prisma.transaction.findUniqueOrThrow({ where: { id: answer.transaction_id }, include: { domain: true } });
}

describe('awin transaction push as a form', () => {
  it('records the push with nested commission groups and products', async () => {
    const response = await postForm(`/yield-webhooks/awin/awin-push?token=${AWIN_TOKEN}`, pushForm(localFixture('awin-transaction-push.json')));
    expect(response.status).toBe(200);

    const row = await storedTransaction(response);
    expect(row.domain.name).toBe('garden-tools.example');
    expect(row.eventType).toBe('SALE');
    expect(row.status).toBe('PENDING');
    expect(row.partnerTransactionId).toBe('105956531');
    expect(row.clickId).toBe('6f1c2a9e4b7d4e0fa3c1d2e3f4a5b6c7');
    expect(row.grossAmount.toFixed(6)).toBe('1.640000');
    expect(row.netAmount.toFixed(6)).toBe('1.148000');
    expect(row.currency).toBe('GBP');
    expect(row.occurredAt.toISOString()).toBe('2026-11-28T14:05:09.000Z');
    expect(row.referrer).toBe('https://garden-tools.example/');
    expect(row.metadata).toEqual({
      merchantId: '3661',
      affiliateId: '45628',
      saleAmount: '26.090000',
      commissionGroups: [{ id: '12345', name: 'Default Commission', code: 'DEFAULT', description: 'Standard rate' }],
      products: [{ productName: 'Pruning shears', unitPrice: '26.09', skuType: 'sku', skuCode: 'PS-200', quantity: '1', category: 'Tools', cgId: '12345' }],
    });
  });

  it('answers a repeated push as a duplicate', async () => {
    const body = pushForm(localFixture('awin-transaction-push.json'));
    const before = await server.database.prisma.transaction.count();
    const response = await postForm(`/yield-webhooks/awin/awin-push/${AWIN_TOKEN}`, body);
    expect(response.status).toBe(200);
    expect((await response.json()).duplicate).toBe(true);
    expect(await server.database.prisma.transaction.count()).toBe(before);
  });

  it('takes multipart form data', async () => {
    const form = new FormData();
    form.set('AwinTransactionPush', JSON.stringify({ ...PUSH, transactionId: 'multipart-1' }));
    const response = await fetch(`${server.url}/yield-webhooks/awin/awin-push?token=${AWIN_TOKEN}`, { method: 'POST', body: form });
    expect(response.status).toBe(200);
    expect((await storedTransaction(response)).partnerTransactionId).toBe('multipart-1');
  });

  it('keeps only the product count of a large basket', async () => {
    const products = Array.from({ length: 150 }, (_, index) => ({ productName: `Seed packet ${index}`, unitPrice: '2.50', skuCode: `SP-${index}`, quantity: '1' }));
    const response = await postForm(`/yield-webhooks/awin/awin-push?token=${AWIN_TOKEN}`, pushForm({ ...PUSH, transactionId: 'basket-1', products }));
    expect(response.status).toBe(200);
    const metadata = (await storedTransaction(response)).metadata as Record<string, unknown>;
    expect(metadata.productCount).toBe(150);
    expect(metadata.products).toBeUndefined();
    expect(metadata.commissionGroups).toHaveLength(1);
  });

  it.each([
    ['a missing AwinTransactionPush', 'AwinTransactionPush', 422, 'transactionId=1', 'application/x-www-form-urlencoded'],
    ['a repeated AwinTransactionPush', 'AwinTransactionPush', 422, `${pushForm(PUSH)}&${pushForm(PUSH)}`, 'application/x-www-form-urlencoded'],
    ['a string commissionGroups', 'commissionGroups', 422, pushForm({ ...PUSH, transactionId: 'f1', commissionGroups: 'DEFAULT' }), 'application/x-www-form-urlencoded'],
    ['a commissionGroups entry that is no object', 'commissionGroups[0]', 422, pushForm({ ...PUSH, transactionId: 'f2', commissionGroups: ['DEFAULT'] }), 'application/x-www-form-urlencoded'],
    ['a products entry that is no object', 'products[1]', 422, pushForm({ ...PUSH, transactionId: 'f3', products: [{}, 7] }), 'application/x-www-form-urlencoded'],
    ['an ISO transactionDate', 'transactionDate', 422, pushForm({ ...PUSH, transactionId: 'f4', transactionDate: '2026-11-28T14:05:09Z' }), 'application/x-www-form-urlencoded'],
    ['an impossible transactionDate', 'transactionDate', 422, pushForm({ ...PUSH, transactionId: 'f5', transactionDate: '2026-02-30 10:00:00' }), 'application/x-www-form-urlencoded'],
    ['no commission', 'commission', 422, pushForm({ ...PUSH, transactionId: 'f6', commission: undefined }), 'application/x-www-form-urlencoded'],
    ['an unknown transactionCurrency', 'transactionCurrency', 422, pushForm({ ...PUSH, transactionId: 'f7', transactionCurrency: 'POUNDS' }), 'application/x-www-form-urlencoded'],
    ['a placeholder commission', 'commission', 422, pushForm({ ...PUSH, transactionId: 'f8', commission: '!!!commission!!!' }), 'application/x-www-form-urlencoded'],
    ['invalid JSON', null, 400, pushForm('{"transactionId": '), 'application/x-www-form-urlencoded'],
    ['a JSON body', null, 415, JSON.stringify(PUSH), 'application/json'],
  ])('rejects a push with %s', async (_label, field, status, body, contentType) => {
    const before = await server.database.prisma.transaction.count();
    const response = await postForm(`/yield-webhooks/awin/awin-push?token=${AWIN_TOKEN}`, body, contentType);
    expect(response.status).toBe(status);
    const problem = await response.json();
    if (field) expect(problem.errors[0].field).toBe(field);
    if (status === 400) expect(problem.detail).toContain('AwinTransactionPush');
    expect(await server.database.prisma.transaction.count()).toBe(before);
  });
});

describe('awin transaction push as a GET', () => {
  it('records the query string push', async () => {
    const response = await fetch(`${server.url}/yield-webhooks/awin/awin-push?${localFixture('awin-transaction-push.query')}&token=${AWIN_TOKEN}`);
    expect(response.status).toBe(200);
    const row = await storedTransaction(response);
    expect(row.partnerTransactionId).toBe('105956532');
    expect(row.clickId).toBe('9a8b7c6d5e4f');
    expect(row.grossAmount.toFixed(6)).toBe('0.960000');
    expect(row.currency).toBe('GBP');
    expect(row.occurredAt.toISOString()).toBe('2026-11-28T15:10:00.000Z');
    expect(row.metadata).toEqual({ merchantId: '3661', affiliateId: '45628', saleAmount: '12.000000' });
  });

  it('decodes a URL-encoded clickRef', async () => {
    const query = new URLSearchParams({ transactionId: 'idn-1', commission: '2.10', transactionCurrency: 'EUR', clickRef: 'Bücher.Example.' });
    expect(query.toString()).toContain('clickRef=B%C3%BCcher.Example.');
    const response = await fetch(`${server.url}/yield-webhooks/awin/awin-push/${AWIN_TOKEN}?${query}`);
    expect(response.status).toBe(200);
    expect((await storedTransaction(response)).domain.name).toBe('xn--bcher-kva.example');
  });

  it.each([
    ['commission', 'transactionId=ph-1&clickRef=garden-tools.example&commission=!!!commission!!!'],
    ['clickRef', 'transactionId=ph-2&clickRef=%21%21%21clickref%21%21%21&commission=1.00'],
    ['transactionId', 'transactionId=!!!transactionid!!!&clickRef=garden-tools.example&commission=1.00'],
    ['transactionDate', 'transactionId=ph-3&clickRef=garden-tools.example&commission=1.00&transactionDate=!!!transactiondate!!!'],
    ['commission', 'transactionId=ph-4&clickRef=garden-tools.example&commission=1.00&commission=2.00'],
  ])('rejects an unsubstituted or repeated %s with 422', async (field, query) => {
    const before = await server.database.prisma.transaction.count();
    const response = await fetch(`${server.url}/yield-webhooks/awin/awin-push?${query}&token=${AWIN_TOKEN}`);
    expect(response.status).toBe(422);
    const problem = await response.json();
    expect(problem.errors[0].field).toBe(field);
    expect(problem.detail).toContain(field);
    expect(await server.database.prisma.transaction.count()).toBe(before);
  });
});

describe('tracker GET postback', () => {
  it('reads the query with the partner mapping', async () => {
    const response = await fetch(`${server.url}/yield-webhooks/tracker/query?${localFixture('tracker-get-postback.query')}&token=${TRACKER_TOKEN}`);
    expect(response.status).toBe(200);
    const row = await storedTransaction(response);
    expect(row.partnerTransactionId).toBe('GT-77501');
    expect(row.clickId).toBe('c7f1e2d3b4a5');
    expect(row.status).toBe('CONFIRMED');
    expect(row.grossAmount.toFixed(6)).toBe('3.200000');
    expect(row.currency).toBe('EUR');
    expect(row.eventType).toBe('SALE');
  });

  it('moves the transaction with a later status', async () => {
    const base = 'order_id=GT-77600&adv1=garden-tools.example&amount=5.00&currency=EUR';
    const pending = await fetch(`${server.url}/yield-webhooks/tracker/query/${TRACKER_TOKEN}?${base}&adv_event_status=Pending`);
    expect(pending.status).toBe(200);
    const rejected = await fetch(`${server.url}/yield-webhooks/tracker/query/${TRACKER_TOKEN}?${base}&adv_event_status=rejected`);
    expect(rejected.status).toBe(200);
    expect((await storedTransaction(rejected)).status).toBe('REJECTED');
  });

  it.each([
    ['adv_event_status', 'order_id=t1&adv1=garden-tools.example&amount=1.00&adv_event_status=paid'],
    ['amount', 'order_id=t2&adv1=garden-tools.example&amount={payout}'],
    ['amount', 'order_id=t3&adv1=garden-tools.example&amount=1%2C50'],
    ['order_id', 'adv1=garden-tools.example&amount=1.00'],
    ['adv1', 'order_id=t4&amount=1.00'],
    ['currency', 'order_id=t5&adv1=garden-tools.example&amount=1.00&currency={currency}'],
  ])('rejects a bad %s with 422 naming the parameter', async (field, query) => {
    const before = await server.database.prisma.transaction.count();
    const response = await fetch(`${server.url}/yield-webhooks/tracker/query?${query}&token=${TRACKER_TOKEN}`);
    expect(response.status).toBe(422);
    expect((await response.json()).errors[0].field).toBe(field);
    expect(await server.database.prisma.transaction.count()).toBe(before);
  });

  it('records nothing for a HEAD request', async () => {
    const before = await server.database.prisma.transaction.count();
    const query = 'order_id=GT-77800&adv1=garden-tools.example&amount=1.00&currency=EUR';
    const response = await fetch(`${server.url}/yield-webhooks/tracker/query?${query}&token=${TRACKER_TOKEN}`, { method: 'HEAD' });
    expect(response.status).toBe(405);
    expect(await server.database.prisma.transaction.count()).toBe(before);
  });

  it('answers 503 for a partner without a mapping', async () => {
    const response = await fetch(`${server.url}/yield-webhooks/awin/query?order_id=1&token=${AWIN_TOKEN}`);
    expect(response.status).toBe(503);
    expect((await response.json()).detail).toContain('queryMapping');
  });

  it('logs the query without the token', async () => {
    const query = 'order_id=GT-77700&adv1=garden-tools.example&amount=1.00&currency=EUR';
    const response = await fetch(`${server.url}/yield-webhooks/tracker/query?${query}&token=${TRACKER_TOKEN}`);
    expect(response.status).toBe(200);

    const delivery = await server.database.prisma.webhookDelivery.findFirstOrThrow({ where: { transactionId: (await response.json()).transaction_id } });
    expect(delivery.route).toBe('/yield-webhooks/{partnerSlug}/query');
    expect(delivery.bodySha256).toBe(createHash('sha256').update(query).digest('hex'));

    const everything = JSON.stringify(await server.database.prisma.webhookDelivery.findMany());
    expect(everything).not.toContain(TRACKER_TOKEN);
    expect(everything).not.toContain(AWIN_TOKEN);
  });
});
