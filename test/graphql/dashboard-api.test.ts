import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  DeliveriesDocument,
  DomainsDocument,
  ImportDocument,
  NodeByIdDocument,
  PartnerRevenueDocument,
  PartnersDocument,
  RejectDocument,
  RevenueSeriesDocument,
  ReverseDocument,
  SetDomainStatusDocument,
  TransactionsWithRelationsDocument,
  type ImportRowInput,
} from '../generated/graphql.js';
import { DASHBOARD_KEY, hexSignature, startTestServer, type TestServer } from '../support/test-server.js';

let server: TestServer;

const ZURICH_WEEK = { from: '2026-11-22T23:00:00Z', to: '2026-11-29T23:00:00Z' };

function row(transactionId: string, overrides: Partial<ImportRowInput> = {}): ImportRowInput {
  return { domain: 'series.example', eventType: 'SALE', partner: 'demo', transactionId, grossAmount: '10.00', currency: 'EUR', ...overrides };
}

async function transactionId(partnerTransactionId: string): Promise<string> {
  const row = await server.database.prisma.transaction.findFirstOrThrow({ where: { partnerTransactionId } });
  return String(row.id);
}

beforeAll(async () => {
  server = await startTestServer();
  await server.seed({ partner: 'demo', domains: ['series.example', 'status.example', 'admin.example'] });
  await server.seed({ partner: 'rival', domains: [] });

  const result = await server.graphql(ImportDocument, {
    input: {
      rows: [
        // 23:30 UTC on 23 November is already 24 November in Zurich.
        row('late-night', { occurredAt: '2026-11-23T23:30:00Z', status: 'CONFIRMED' }),
        row('morning', { occurredAt: '2026-11-24T10:00:00Z', grossAmount: '5.00' }),
        row('rival-sale', { occurredAt: '2026-11-25T12:00:00Z', partner: 'rival', grossAmount: '7.00', status: 'CONFIRMED' }),
        row('franc-sale', { occurredAt: '2026-11-28T12:00:00Z', currency: 'CHF', grossAmount: '3.00', status: 'CONFIRMED' }),
        row('next-month', { occurredAt: '2026-12-02T08:00:00Z', status: 'CONFIRMED' }),
      ],
    },
  });
  expect(result.body.data?.importBatch).toMatchObject({ data: { imported: 5 } });
});

afterAll(async () => {
  expect(await server.totalsMismatches()).toEqual([]);
  await server.close();
});

describe('domainRevenueSeries', () => {
  it('buckets days in the given time zone', async () => {
    const result = await server.graphql(RevenueSeriesDocument, {
      domain: 'series.example',
      ...ZURICH_WEEK,
      interval: 'DAY',
      timezone: 'Europe/Zurich',
      partner: 'demo',
    });
    const series = result.body.data!.domainRevenueSeries;
    expect(series.timezone).toBe('Europe/Zurich');
    expect(series.points).toHaveLength(14);

    const euro = series.points.filter((point) => point.currency === 'EUR');
    expect(euro.map((point) => point.start)).toEqual([
      '2026-11-22T23:00:00.000Z',
      '2026-11-23T23:00:00.000Z',
      '2026-11-24T23:00:00.000Z',
      '2026-11-25T23:00:00.000Z',
      '2026-11-26T23:00:00.000Z',
      '2026-11-27T23:00:00.000Z',
      '2026-11-28T23:00:00.000Z',
    ]);
    expect(euro[1]).toMatchObject({ confirmedGross: '10.000000', confirmedNet: '7.000000', pendingGross: '5.000000', sales: 2 });
    expect(euro[2]).toMatchObject({ confirmedGross: '0.000000', sales: 0 });
    const francs = series.points.filter((point) => point.currency === 'CHF');
    expect(francs[5]).toMatchObject({ confirmedNet: '2.100000', sales: 1 });
  });

  it('moves a late sale to the UTC day', async () => {
    const result = await server.graphql(RevenueSeriesDocument, {
      domain: 'series.example',
      from: '2026-11-23T00:00:00Z',
      to: '2026-11-25T00:00:00Z',
      interval: 'DAY',
    });
    const points = result.body.data!.domainRevenueSeries.points;
    expect(points).toEqual([
      expect.objectContaining({ start: '2026-11-23T00:00:00.000Z', currency: 'EUR', confirmedGross: '10.000000', pendingGross: '0.000000' }),
      expect.objectContaining({ start: '2026-11-24T00:00:00.000Z', currency: 'EUR', confirmedGross: '0.000000', pendingGross: '5.000000' }),
    ]);
  });

  it('counts weeks from Monday and months from the first', async () => {
    const weeks = await server.graphql(RevenueSeriesDocument, {
      domain: 'series.example',
      from: '2026-11-16T00:00:00Z',
      to: '2026-12-07T00:00:00Z',
      interval: 'WEEK',
    });
    const euroWeeks = weeks.body.data!.domainRevenueSeries.points.filter((point) => point.currency === 'EUR');
    expect(euroWeeks.map((point) => [point.start, point.confirmedGross])).toEqual([
      ['2026-11-16T00:00:00.000Z', '0.000000'],
      ['2026-11-23T00:00:00.000Z', '17.000000'],
      ['2026-11-30T00:00:00.000Z', '10.000000'],
    ]);

    const months = await server.graphql(RevenueSeriesDocument, {
      domain: 'series.example',
      from: '2026-11-01T00:00:00Z',
      to: '2027-01-01T00:00:00Z',
      interval: 'MONTH',
    });
    const euroMonths = months.body.data!.domainRevenueSeries.points.filter((point) => point.currency === 'EUR');
    expect(euroMonths.map((point) => [point.start, point.confirmedGross, point.pendingGross])).toEqual([
      ['2026-11-01T00:00:00.000Z', '17.000000', '5.000000'],
      ['2026-12-01T00:00:00.000Z', '10.000000', '0.000000'],
    ]);
  });

  it.each([
    ['timezone', { timezone: 'Mars/Olympus' }],
    ['to', { from: '2026-11-29T00:00:00Z', to: '2026-11-22T00:00:00Z' }],
    ['from', { from: '2020-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }],
  ])('rejects an invalid %s', async (field, overrides) => {
    const result = await server.graphql(RevenueSeriesDocument, {
      domain: 'series.example',
      ...ZURICH_WEEK,
      interval: 'DAY',
      ...overrides,
    });
    expect(result.body.errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(result.body.errors?.[0].extensions.field).toBe(field);
  });
});

describe('domainRevenue by partner', () => {
  it('sums one partner in a period', async () => {
    const result = await server.graphql(PartnerRevenueDocument, { domain: 'series.example', partner: 'rival' });
    expect(result.body.data!.domainRevenue.totals).toEqual([
      { currency: 'EUR', confirmedGross: '7.000000', confirmedNet: '4.900000', pendingGross: '0.000000', pendingNet: '0.000000', sales: 1 },
    ]);
    const outside = await server.graphql(PartnerRevenueDocument, { domain: 'series.example', partner: 'rival', ...ZURICH_WEEK, from: '2026-11-26T00:00:00Z' });
    expect(outside.body.data!.domainRevenue.totals).toEqual([]);
  });
});

describe('transactions with relations', () => {
  it('runs a fixed number of queries whatever the page size', async () => {
    const counts: number[] = [];
    for (const first of [2, 5]) {
      server.queries.length = 0;
      const result = await server.graphql(TransactionsWithRelationsDocument, { first, filter: { domain: 'series.example' } });
      expect(result.body.data!.transactions.edges).toHaveLength(first);
      counts.push(server.queries.length);
    }
    expect(counts[0]).toBe(counts[1]);
    // The domain lookup of the filter, the page, one query per selected
    // relation (domain, partner, click, history, history's delivery) and the
    // total count.
    expect(counts[1]).toBeLessThanOrEqual(8);
  });

  it('returns relations and orders oldest first', async () => {
    const result = await server.graphql(TransactionsWithRelationsDocument, {
      first: 10,
      filter: { domain: 'series.example', currency: 'eur' },
      orderBy: 'OCCURRED_AT_ASC',
    });
    const nodes = result.body.data!.transactions.edges.map((edge) => edge.node);
    expect(nodes.map((node) => node.occurredAt)).toEqual([...nodes.map((node) => node.occurredAt)].sort());
    expect(nodes[0]).toMatchObject({
      yieldDomain: { domain: 'series.example', status: 'ACTIVE', userId: 1 },
      partnerDetails: { slug: 'demo', revenueShare: '0.700000' },
      attributedClick: null,
      history: [{ source: 'IMPORT', newStatus: 'CONFIRMED', note: null, applied: true, delivery: null }],
    });
  });
});

describe('domains and partners', () => {
  it('pages domains with totals and finds them by node id', async () => {
    const first = await server.graphql(DomainsDocument, { first: 2 });
    const connection = first.body.data!.domains;
    expect(connection.totalCount).toBe(3);
    expect(connection.edges.map((edge) => edge.node.domain)).toEqual(['admin.example', 'series.example']);
    expect(connection.edges[1]!.node.totals).toEqual([
      { currency: 'CHF', confirmedNet: '2.100000', clicks: 0 },
      { currency: 'EUR', confirmedNet: '18.900000', clicks: 0 },
    ]);

    const rest = await server.graphql(DomainsDocument, { first: 2, after: connection.pageInfo.endCursor });
    expect(rest.body.data!.domains.edges.map((edge) => edge.node.domain)).toEqual(['status.example']);

    const node = await server.graphql(NodeByIdDocument, { id: connection.edges[0]!.node.id });
    expect(node.body.data!.node).toMatchObject({ __typename: 'YieldDomain' });
  });

  it('lists partners by slug', async () => {
    const result = await server.graphql(PartnersDocument, {}, DASHBOARD_KEY);
    expect(result.body.data!.partners.map((partner) => partner.slug)).toEqual(['awin', 'demo', 'rival']);
  });
});

describe('webhookDeliveries', () => {
  it('explains why a postback was rejected', async () => {
    const body = JSON.stringify({ event_type: 'sale', domain: 'series.example', transaction_id: 'delivery-1', amount: '1.00' });
    await server.postback('/yield-webhooks/demo', body, { 'x-webhook-signature': hexSignature('other body'), 'x-request-id': 'debug-me' });
    await server.postback('/yield-webhooks/demo', body, { 'x-webhook-signature': hexSignature(body) });

    const rejected = await server.graphql(DeliveriesDocument, { first: 10, filter: { partner: 'demo', rejected: true } }, DASHBOARD_KEY);
    const delivery = rejected.body.data!.webhookDeliveries.edges[0]!.node;
    expect(delivery).toMatchObject({ partner: 'demo', httpStatus: 401, outcome: 'rejected', requestId: 'debug-me', transaction: null });
    expect(delivery.reason).toMatch(/does not match the body/);

    const accepted = await server.graphql(DeliveriesDocument, { first: 10, filter: { partner: 'demo', rejected: false } });
    expect(accepted.body.data!.webhookDeliveries.totalCount).toBe(1);
    expect(accepted.body.data!.webhookDeliveries.edges[0]!.node.transaction?.transactionId).toBe(Number(await transactionId('delivery-1')));
  });
});

describe('operator mutations', () => {
  beforeAll(async () => {
    await server.graphql(ImportDocument, {
      input: {
        rows: [
          row('to-reject', { domain: 'admin.example' }),
          row('to-reverse', { domain: 'admin.example', status: 'CONFIRMED', grossAmount: '20.00' }),
        ],
      },
    });
  });

  it('rejects a pending transaction with a reason', async () => {
    const id = await transactionId('to-reject');
    const result = await server.graphql(RejectDocument, { id, reason: 'Order cancelled' });
    expect(result.body.data!.rejectTransaction).toMatchObject({
      __typename: 'MutationRejectTransactionSuccess',
      data: { status: 'REJECTED', history: [{ note: null }, { note: 'Order cancelled' }] },
    });
    const again = await server.graphql(RejectDocument, { id, reason: 'Order cancelled' });
    expect(again.body.data!.rejectTransaction.__typename).toBe('MutationRejectTransactionSuccess');
  });

  it('reverses a confirmed transaction and its revenue', async () => {
    const id = await transactionId('to-reverse');
    const rejectConfirmed = await server.graphql(RejectDocument, { id, reason: 'wrong route' });
    expect(rejectConfirmed.body.data!.rejectTransaction.__typename).toBe('InvalidStateError');

    const result = await server.graphql(ReverseDocument, { id, reason: 'Chargeback' });
    expect(result.body.data!.reverseTransaction).toMatchObject({ data: { status: 'REVERSED' } });
    const revenue = await server.graphql(PartnerRevenueDocument, { domain: 'admin.example' });
    expect(revenue.body.data!.domainRevenue.totals[0]).toMatchObject({ confirmedGross: '0.000000', pendingGross: '0.000000' });
  });

  it.each([
    ['reversing a pending transaction', 'late-night-pending', 'InvalidStateError'],
    ['an unknown id', '777777', 'NotFoundError'],
  ])('answers %s with a typed error', async (_label, key, typename) => {
    if (key === 'late-night-pending') {
      await server.graphql(ImportDocument, { input: { rows: [row(key, { domain: 'admin.example' })] } });
      key = await transactionId(key);
    }
    const result = await server.graphql(ReverseDocument, { id: key, reason: 'test' });
    expect(result.body.data!.reverseTransaction.__typename).toBe(typename);
  });

  it('requires a reason', async () => {
    const result = await server.graphql(RejectDocument, { id: await transactionId('morning'), reason: '  ' });
    expect(result.body.data!.rejectTransaction).toMatchObject({ __typename: 'ValidationError', field: 'reason' });
    const row = await server.database.prisma.transaction.findFirstOrThrow({ where: { partnerTransactionId: 'morning' } });
    expect(row.status).toBe('PENDING');
  });

  it('pauses a domain so it takes no postbacks', async () => {
    const paused = await server.graphql(SetDomainStatusDocument, { domain: 'STATUS.example.', status: 'PAUSED' });
    expect(paused.body.data!.setDomainStatus).toMatchObject({ data: { domain: 'status.example', status: 'PAUSED' } });

    const body = JSON.stringify({ event_type: 'sale', domain: 'status.example', transaction_id: 'while-paused' });
    expect((await server.signedPostback('/yield-webhooks/demo', body)).status).toBe(404);

    await server.graphql(SetDomainStatusDocument, { domain: 'status.example', status: 'ACTIVE' });
    expect((await server.signedPostback('/yield-webhooks/demo', body)).status).toBe(200);

    const unknown = await server.graphql(SetDomainStatusDocument, { domain: 'nowhere.example', status: 'PAUSED' });
    expect(unknown.body.data!.setDomainStatus.__typename).toBe('NotFoundError');
  });

  it('keeps operator mutations from the dashboard key', async () => {
    const result = await server.graphql(SetDomainStatusDocument, { domain: 'status.example', status: 'PAUSED' }, DASHBOARD_KEY);
    expect(result.body.errors?.[0].extensions.code).toBe('FORBIDDEN');
    const domain = await server.database.prisma.yieldDomain.findUniqueOrThrow({ where: { name: 'status.example' } });
    expect(domain.status).toBe('ACTIVE');
  });
});

describe('query limits', () => {
  it.each([
    ['depth', '{ transactions(first: 1) { edges { node { history { delivery { transaction { history { delivery { transaction { history { note } } } } } } } } } } }'],
    ['aliases', `{ ${Array.from({ length: 20 }, (_, index) => `a${index}: partners { slug }`).join(' ')} }`],
    ['tokens', `{ partners { ${Array.from({ length: 1600 }, () => 'slug').join(' ')} } }`],
  ])('rejects a query over the %s limit before it runs', async (_label, query) => {
    server.queries.length = 0;
    const result = await server.graphql(query);
    expect(result.body.data).toBeUndefined();
    expect(result.body.errors?.[0].message).toBeTruthy();
    expect(server.queries).toEqual([]);
  });

  it('answers 413 for a body over the limit', async () => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ partners { slug } }', variables: { padding: 'x'.repeat(17 * 1024 * 1024) } }),
    });
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  });
});

describe('error masking', () => {
  it('runs no resolver without a valid key', async () => {
    server.queries.length = 0;
    const result = await server.graphql(PartnersDocument, {}, null);
    expect(result.body.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(server.queries).toEqual([]);
  });

  it('hides database errors also in development mode', async () => {
    const previous = process.env.NODE_ENV;
    process.env.NODE_ENV = 'development';
    const broken = await startTestServer();
    try {
      await broken.database.prisma.$executeRawUnsafe('ALTER TABLE partner RENAME TO partner_gone');
      const result = await broken.graphql(PartnersDocument);
      expect(result.body.errors?.[0].message).toBe('Unexpected error.');
      expect(JSON.stringify(result.body)).not.toMatch(/partner_gone|prisma|relation|SELECT|stack/i);
      await broken.database.prisma.$executeRawUnsafe('ALTER TABLE partner_gone RENAME TO partner');
    } finally {
      process.env.NODE_ENV = previous;
      await broken.close();
    }
  });
});
