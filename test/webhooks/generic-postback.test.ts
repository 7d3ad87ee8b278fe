import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { fixture, hexSignature, startTestServer, type TestServer } from '../support/test-server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  await server.seed({ partner: 'demo', domains: ['garden-tools.example'] });
});

afterAll(async () => {
  expect(await server.totalsMismatches()).toEqual([]);
  await server.close();
});

async function transactionCount(): Promise<number> {
  return server.database.prisma.transaction.count();
}

async function revenue(domain = 'garden-tools.example') {
  const result = await server.graphql(
    `query ($domain: String!) { domainRevenue(domain: $domain) { domain totals { currency confirmedGross confirmedNet pendingGross pendingNet clicks leads sales } } }`,
    { domain },
  );
  return result.body.data.domainRevenue;
}

describe('generic postback', () => {
  it('records the fixtures with exact amounts', async () => {
    const click = await server.signedPostback('/yield-webhooks/demo', fixture('generic-click.json'));
    expect(click.status).toBe(200);
    const lead = await server.signedPostback('/yield-webhooks/demo', fixture('generic-lead.json'));
    expect(lead.status).toBe(200);
    const sale = await server.signedPostback('/yield-webhooks/demo', fixture('generic-sale.json'));
    expect(sale.status).toBe(200);

    const saleBody = await sale.json();
    expect(saleBody).toMatchObject({ success: true, duplicate: false });
    const stored = await server.database.prisma.transaction.findUniqueOrThrow({ where: { id: saleBody.transaction_id } });
    expect(stored.grossAmount.toFixed(6)).toBe('18.350000');
    expect(stored.netAmount.toFixed(6)).toBe('12.845000');
    expect(stored.currency).toBe('EUR');
    expect(stored.status).toBe('PENDING');

    const leadRow = await server.database.prisma.transaction.findFirstOrThrow({ where: { partnerTransactionId: 'lead-2026-000481' } });
    const clickRow = await server.database.prisma.transaction.findFirstOrThrow({ where: { eventType: 'CLICK' } });
    expect(leadRow.netAmount.toFixed(6)).toBe('3.150000');
    expect(leadRow.attributedClickId).toBe(clickRow.id);
    expect(clickRow.status).toBe('CONFIRMED');
    expect(leadRow.metadata).toEqual({ form: 'newsletter', campaign: 'winter-26' });

    const totals = (await revenue()).totals;
    expect(totals).toEqual([
      { currency: 'CHF', confirmedGross: '0.000000', confirmedNet: '0.000000', pendingGross: '4.500000', pendingNet: '3.150000', clicks: 1, leads: 1, sales: 0 },
      { currency: 'EUR', confirmedGross: '0.000000', confirmedNet: '0.000000', pendingGross: '18.350000', pendingNet: '12.845000', clicks: 0, leads: 0, sales: 1 },
    ]);
  });

  it('answers a retry as a duplicate with the first id', async () => {
    const body = JSON.stringify({ event_type: 'sale', domain: 'garden-tools.example', transaction_id: 'retry-1', amount: '2.00' });
    const first = await (await server.signedPostback('/yield-webhooks/demo', body)).json();
    const before = await transactionCount();
    const second = await server.signedPostback('/yield-webhooks/demo', body);

    expect(second.status).toBe(200);
    const answer = await second.json();
    expect(answer.duplicate).toBe(true);
    expect(answer.transaction_id).toBe(first.transaction_id);
    expect(await transactionCount()).toBe(before);
  });

  it('signs the exact bytes: spacing and JSON numbers', async () => {
    const spaced = '{ "event_type" :"sale",   "domain": "garden-tools.example", "transaction_id":"spaced-1",\n "amount": 10.50 }';
    const signature = hexSignature(spaced);
    const response = await server.postback('/yield-webhooks/demo', spaced, { 'x-webhook-signature': signature });
    expect(response.status).toBe(200);
    const { transaction_id } = await response.json();
    const row = await server.database.prisma.transaction.findUniqueOrThrow({ where: { id: transaction_id } });
    expect(row.grossAmount.toFixed(6)).toBe('10.500000');
    expect(row.netAmount.toFixed(6)).toBe('7.350000');

    const compact = JSON.stringify(JSON.parse(spaced.replace('spaced-1', 'spaced-2')));
    const before = await transactionCount();
    const forged = await server.postback('/yield-webhooks/demo', compact, { 'x-webhook-signature': signature });
    expect(forged.status).toBe(401);
    expect(await transactionCount()).toBe(before);
  });

  it('accepts an upper-case signature with the sha256= prefix', async () => {
    const body = JSON.stringify({ event_type: 'lead', domain: 'garden-tools.example', transaction_id: 'prefixed-1', amount: '1' });
    const response = await server.postback('/yield-webhooks/demo', body, { 'x-webhook-signature': `sha256=${hexSignature(body).toUpperCase()}` });
    expect(response.status).toBe(200);
  });

  it.each([
    ['empty', ''],
    ['three letters', 'abc'],
    ['63 hex characters', 'a'.repeat(63)],
    ['128 hex characters', 'a'.repeat(128)],
    ['non-ASCII text', 'sïgnätürę'],
    ['a valid digest of another body', hexSignature('{}')],
  ])('rejects a signature that is %s with 401', async (_label, signature) => {
    const body = JSON.stringify({ event_type: 'sale', domain: 'garden-tools.example', transaction_id: `bad-signature-${_label}`, amount: '1.00' });
    const before = await transactionCount();
    const headers = new Headers({ 'content-type': 'application/json' });
    // fetch refuses to send non-Latin-1 header values, so they go as raw bytes.
    headers.set('x-webhook-signature', Buffer.from(signature, 'utf8').toString('latin1'));
    const response = await fetch(`${server.url}/yield-webhooks/demo`, { method: 'POST', headers, body });

    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const problem = await response.json();
    expect(problem.status).toBe(401);
    expect(problem.title).toBe('Unauthorized');
    expect(await transactionCount()).toBe(before);
  });

  it('rejects a missing signature with 401', async () => {
    const body = JSON.stringify({ event_type: 'sale', domain: 'garden-tools.example', transaction_id: 'unsigned', amount: '1.00' });
    const response = await server.postback('/yield-webhooks/demo', body);
    expect(response.status).toBe(401);
    expect((await response.json()).detail).toMatch(/Signature missing/);
  });

  it.each([
    ['an empty body', '', 'application/json', 400],
    ['not-json', 'not-json', 'application/json', 400],
    ['a JSON array', '[{"event_type":"sale"}]', 'application/json', 400],
    ['a JSON string', '"sale"', 'application/json', 400],
    ['JSON sent as text/plain', '{"event_type":"sale","domain":"garden-tools.example"}', 'text/plain', 415],
    ['a form body', 'event_type=sale&domain=garden-tools.example', 'application/x-www-form-urlencoded', 415],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 'application/json', 400],
    ['a duplicate key', '{"event_type":"sale","event_type":"click","domain":"garden-tools.example"}', 'application/json', 400],
  ])('rejects %s without storing it', async (_label, body, contentType, status) => {
    const before = await transactionCount();
    const response = await server.postback('/yield-webhooks/demo', body, {
      'content-type': contentType,
      'x-webhook-signature': hexSignature(body),
    });
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await transactionCount()).toBe(before);
  });

  it.each([
    ['event_type', { event_type: 'purchase', domain: 'garden-tools.example' }],
    ['event_type', { domain: 'garden-tools.example' }],
    ['domain', { event_type: 'sale' }],
    ['domain', { event_type: 'sale', domain: 'not a domain' }],
    ['amount', { event_type: 'sale', domain: 'garden-tools.example', transaction_id: 'a1', amount: '-5.00' }],
    ['amount', { event_type: 'sale', domain: 'garden-tools.example', transaction_id: 'a2', amount: '1e3' }],
    ['amount', { event_type: 'sale', domain: 'garden-tools.example', transaction_id: 'a3', amount: '1,000.00' }],
    ['amount', { event_type: 'sale', domain: 'garden-tools.example', transaction_id: 'a4', amount: '1.1234567' }],
    ['amount', { event_type: 'sale', domain: 'garden-tools.example', transaction_id: 'a5', amount: '123456789012345' }],
    ['amount', { event_type: 'sale', domain: 'garden-tools.example', transaction_id: 'a6', amount: true }],
    ['currency', { event_type: 'sale', domain: 'garden-tools.example', transaction_id: 'c1', amount: '1', currency: 'EURO' }],
    ['click_id', { event_type: 'sale', domain: 'garden-tools.example', transaction_id: 'k1', click_id: 'x'.repeat(65) }],
    ['transaction_id', { event_type: 'sale', domain: 'garden-tools.example', transaction_id: 't'.repeat(129) }],
    ['status', { event_type: 'sale', domain: 'garden-tools.example', transaction_id: 's1', status: 'approved' }],
    ['geo_country', { event_type: 'sale', domain: 'garden-tools.example', transaction_id: 'g1', geo_country: 'CHE' }],
    ['metadata', { event_type: 'sale', domain: 'garden-tools.example', transaction_id: 'm1', metadata: [1, 2] }],
    ['metadata', { event_type: 'sale', domain: 'garden-tools.example', transaction_id: 'm2', metadata: { blob: 'x'.repeat(5000) } }],
  ])('rejects an invalid %s with 422 naming it', async (field, payload) => {
    const before = await transactionCount();
    const response = await server.signedPostback('/yield-webhooks/demo', JSON.stringify(payload));

    expect(response.status).toBe(422);
    const problem = await response.json();
    expect(problem.errors[0].field).toBe(field);
    expect(problem.detail).toContain(field);
    expect(await transactionCount()).toBe(before);
  });

  it.each([
    ['an unknown partner', '/yield-webhooks/nobody', { event_type: 'sale', domain: 'garden-tools.example' }],
    ['an invalid partner slug', '/yield-webhooks/NOT%20A%20SLUG', { event_type: 'sale', domain: 'garden-tools.example' }],
    ['an unknown domain', '/yield-webhooks/demo', { event_type: 'sale', domain: 'unknown.example', transaction_id: 'u1' }],
  ])('answers 404 for %s', async (_label, path, payload) => {
    const before = await transactionCount();
    const response = await server.signedPostback(path, JSON.stringify(payload));
    expect(response.status).toBe(404);
    expect(await transactionCount()).toBe(before);
  });

  it('answers 404 for an inactive partner and a paused domain', async () => {
    await server.graphql(`mutation { upsertPartner(input: { slug: "sleepy", name: "Sleepy", active: false }) { __typename } }`);
    await server.graphql(`mutation { upsertDomain(input: { domain: "paused.example", userId: 2, status: PAUSED }) { __typename } }`);

    const inactive = await server.signedPostback('/yield-webhooks/sleepy', JSON.stringify({ event_type: 'sale', domain: 'garden-tools.example' }));
    expect(inactive.status).toBe(404);
    const paused = await server.signedPostback('/yield-webhooks/demo', JSON.stringify({ event_type: 'sale', domain: 'paused.example', transaction_id: 'p1' }));
    expect(paused.status).toBe(404);
    expect((await paused.json()).detail).toMatch(/paused/);
  });

  it('answers 409 when a transaction_id changes its identity', async () => {
    const first = JSON.stringify({ event_type: 'sale', domain: 'garden-tools.example', transaction_id: 'identity-1', amount: '1', currency: 'EUR' });
    expect((await server.signedPostback('/yield-webhooks/demo', first)).status).toBe(200);

    const otherCurrency = JSON.stringify({ event_type: 'sale', domain: 'garden-tools.example', transaction_id: 'identity-1', amount: '1', currency: 'USD' });
    const response = await server.signedPostback('/yield-webhooks/demo', otherCurrency);
    expect(response.status).toBe(409);
    expect((await response.json()).detail).toMatch(/currency/);
  });

  it('answers 413 for a body over the limit', async () => {
    const body = JSON.stringify({ event_type: 'sale', domain: 'garden-tools.example', referrer: 'x'.repeat(70_000) });
    const response = await server.signedPostback('/yield-webhooks/demo', body);
    expect(response.status).toBe(413);
  });

  it('logs every delivery without secrets or signatures', async () => {
    const deliveries = await server.database.prisma.webhookDelivery.findMany();
    const statuses = new Set(deliveries.map((delivery) => delivery.httpStatus));
    for (const status of [200, 400, 401, 404, 409, 413, 415, 422]) expect(statuses).toContain(status);

    const text = JSON.stringify(deliveries);
    expect(text).not.toContain('test-signing-secret');
    expect(text).not.toContain(hexSignature(fixture('generic-sale.json')));
    const accepted = deliveries.find((delivery) => delivery.httpStatus === 200);
    expect(accepted?.bodySha256).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('secrets', () => {
  it('answers 503 when no secret is configured for the partner', async () => {
    const bare = await startTestServer({ YIELD_WEBHOOK_SECRET: '' });
    try {
      await bare.seed();
      const response = await bare.signedPostback('/yield-webhooks/demo', JSON.stringify({ event_type: 'click', domain: 'garden-tools.example' }));
      expect(response.status).toBe(503);
      expect((await response.json()).detail).toContain('YIELD_WEBHOOK_SECRET_DEMO');
    } finally {
      await bare.close();
    }
  });

  it('prefers the partner secret and accepts every secret in the list', async () => {
    const rotating = await startTestServer({ YIELD_WEBHOOK_SECRET_DEMO: 'old-secret, new-secret' });
    try {
      await rotating.seed();
      for (const [index, secret] of ['old-secret', 'new-secret'].entries()) {
        const body = JSON.stringify({ event_type: 'sale', domain: 'garden-tools.example', transaction_id: `rotation-${index}` });
        const response = await rotating.postback('/yield-webhooks/demo', body, { 'x-webhook-signature': hexSignature(body, secret) });
        expect(response.status).toBe(200);
      }
      const body = JSON.stringify({ event_type: 'sale', domain: 'garden-tools.example', transaction_id: 'shared-secret' });
      const shared = await rotating.postback('/yield-webhooks/demo', body, { 'x-webhook-signature': hexSignature(body) });
      expect(shared.status).toBe(401);
    } finally {
      await rotating.close();
    }
  });
});
