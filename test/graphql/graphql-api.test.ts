import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ADMIN_KEY, DASHBOARD_KEY, startTestServer, type TestServer } from '../support/test-server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  await server.seed({ partner: 'demo', domains: ['garden-tools.example', 'ties.example'] });
});

afterAll(async () => {
  expect(await server.totalsMismatches()).toEqual([]);
  await server.close();
});

const IMPORT = `mutation ($input: ImportBatchInput!) {
  importBatch(input: $input) {
    __typename
    ... on MutationImportBatchSuccess { data { imported updated skipped errors { index code message } } }
    ... on Error { message }
  }
}`;

const CONFIRM = `mutation ($id: ID!) {
  confirmTransaction(id: $id) {
    __typename
    ... on MutationConfirmTransactionSuccess { data { id transactionId status grossAmount netAmount confirmedAt } }
    ... on Error { message }
  }
}`;

function row(transactionId: string, overrides: Record<string, unknown> = {}) {
  return { domain: 'garden-tools.example', eventType: 'SALE', partner: 'demo', transactionId, grossAmount: '10.00', currency: 'EUR', ...overrides };
}

describe('auth', () => {
  const query = '{ domainRevenue(domain: "garden-tools.example") { domain } }';

  it.each([
    ['no key', null],
    ['a wrong key', 'wrong-key-0123456789abcdef'],
  ])('answers UNAUTHENTICATED with %s', async (_label, key) => {
    const result = await server.graphql(query, {}, key);
    expect(result.body.data).toBeNull();
    expect(result.body.errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('lets the dashboard key read but not write', async () => {
    const read = await server.graphql(query, {}, DASHBOARD_KEY);
    expect(read.body.data?.domainRevenue.domain).toBe('garden-tools.example');

    const write = await server.graphql(CONFIRM, { id: '1' }, DASHBOARD_KEY);
    expect(write.body.errors?.[0].extensions.code).toBe('FORBIDDEN');
    const check = await server.graphql('{ totalsMismatches { field } }', {}, DASHBOARD_KEY);
    expect(check.body.errors?.[0].extensions.code).toBe('FORBIDDEN');
  });

  it('accepts the key as a bearer token', async () => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
      body: JSON.stringify({ query }),
    });
    expect((await response.json()).data.domainRevenue.domain).toBe('garden-tools.example');
  });

  it('disables mutations without an admin key', async () => {
    const readOnly = await startTestServer({ INTERNAL_API_KEY: '' });
    try {
      const result = await readOnly.graphql(CONFIRM, { id: '1' }, DASHBOARD_KEY);
      expect(result.body.errors?.[0].message).toMatch(/no INTERNAL_API_KEY/);
    } finally {
      await readOnly.close();
    }
  });
});

describe('transactions', () => {
  beforeAll(async () => {
    const occurredAt = '2026-11-28T12:00:00.000Z';
    const rows = Array.from({ length: 5 }, (_, index) => row(`tie-${index}`, { domain: 'ties.example', occurredAt }));
    const result = await server.graphql(IMPORT, { input: { rows } });
    expect(result.body.data.importBatch.data.imported).toBe(5);
  });

  it('pages rows with one occurredAt exactly once', async () => {
    const seen: number[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const result: any = await server.graphql(
        `query ($after: String) { transactions(first: 2, after: $after, filter: { domain: "ties.example" }) {
          totalCount edges { cursor node { transactionId } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      const connection = result.body.data.transactions;
      expect(connection.totalCount).toBe(5);
      seen.push(...connection.edges.map((edge: any) => edge.node.transactionId));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
  });

  it('filters by status, type, partner and period', async () => {
    const result = await server.graphql(`{
      pending: transactions(first: 10, filter: { domain: "TIES.example.", status: PENDING }) { totalCount }
      confirmed: transactions(first: 10, filter: { domain: "ties.example", status: CONFIRMED }) { totalCount }
      clicks: transactions(first: 10, filter: { domain: "ties.example", eventType: CLICK }) { totalCount }
      partner: transactions(first: 10, filter: { domain: "ties.example", partner: "demo" }) { totalCount }
      other: transactions(first: 10, filter: { domain: "ties.example", partner: "awin" }) { totalCount }
      inside: transactions(first: 10, filter: { domain: "ties.example", from: "2026-11-28T12:00:00Z", to: "2026-11-28T12:00:01Z" }) { totalCount }
      before: transactions(first: 10, filter: { domain: "ties.example", to: "2026-11-28T12:00:00Z" }) { totalCount }
    }`);
    expect(result.body.data).toEqual({
      pending: { totalCount: 5 },
      confirmed: { totalCount: 0 },
      clicks: { totalCount: 0 },
      partner: { totalCount: 5 },
      other: { totalCount: 0 },
      inside: { totalCount: 5 },
      before: { totalCount: 0 },
    });
  });

  it('lists unattributed leads and sales', async () => {
    const rows = [
      row('attributed-none', { domain: 'ties.example', clickId: 'no-such-click' }),
      row('no-click-id', { domain: 'ties.example' }),
    ];
    await server.graphql(IMPORT, { input: { rows } });
    const result = await server.graphql(
      '{ transactions(first: 10, filter: { domain: "ties.example", unattributed: true, eventType: SALE }) { edges { node { partnerTransactionId } } } }',
    );
    expect(result.body.data.transactions.edges).toEqual([{ node: { partnerTransactionId: 'attributed-none' } }]);
  });

  it('finds a transaction by Relay id and by integer', async () => {
    const list = await server.graphql('{ transactions(first: 1) { edges { node { id transactionId partner domain } } } }');
    const node = list.body.data.transactions.edges[0].node;

    const byRelay = await server.graphql('query ($id: ID!) { transaction(id: $id) { transactionId } }', { id: node.id });
    expect(byRelay.body.data.transaction.transactionId).toBe(node.transactionId);
    const byInteger = await server.graphql('query ($id: ID!) { transaction(id: $id) { transactionId } }', { id: String(node.transactionId) });
    expect(byInteger.body.data.transaction.transactionId).toBe(node.transactionId);
    const missing = await server.graphql('query ($id: ID!) { transaction(id: $id) { transactionId } }', { id: '999999' });
    expect(missing.body.data.transaction).toBeNull();
  });
});

describe('confirmTransaction', () => {
  it('confirms once and returns a confirmed one unchanged', async () => {
    await server.graphql(IMPORT, { input: { rows: [row('confirm-1', { grossAmount: '30.00' })] } });
    const id = (await server.database.prisma.transaction.findFirstOrThrow({ where: { partnerTransactionId: 'confirm-1' } })).id;

    const first = await server.graphql(CONFIRM, { id: String(id) });
    expect(first.body.data.confirmTransaction.data).toMatchObject({ status: 'CONFIRMED', netAmount: '21.000000' });
    const second = await server.graphql(CONFIRM, { id: first.body.data.confirmTransaction.data.id });
    expect(second.body.data.confirmTransaction.data.confirmedAt).toBe(first.body.data.confirmTransaction.data.confirmedAt);

    const revenue = await server.graphql('{ domainRevenue(domain: "garden-tools.example") { totals { currency confirmedNet } } }');
    expect(revenue.body.data.domainRevenue.totals).toContainEqual({ currency: 'EUR', confirmedNet: '21.000000' });
  });

  it.each([
    ['an unknown id', '424242', 'NotFoundError'],
    ['a malformed id', 'not-an-id', 'NotFoundError'],
  ])('answers %s with a typed error', async (_label, id, typename) => {
    const result = await server.graphql(CONFIRM, { id });
    expect(result.body.data.confirmTransaction.__typename).toBe(typename);
  });

  it('rejects a rejected transaction with InvalidStateError', async () => {
    await server.graphql(IMPORT, { input: { rows: [row('rejected-1', { status: 'REJECTED' })] } });
    const id = (await server.database.prisma.transaction.findFirstOrThrow({ where: { partnerTransactionId: 'rejected-1' } })).id;
    const result = await server.graphql(CONFIRM, { id: String(id) });
    expect(result.body.data.confirmTransaction.__typename).toBe('InvalidStateError');
    expect(result.body.data.confirmTransaction.message).toMatch(/rejected/);
  });
});

describe('importBatch', () => {
  it('counts imported, updated, skipped and row errors', async () => {
    const rows = [
      row('import-1'),
      row('import-2', { status: 'CONFIRMED' }),
      row('import-1'),
      row('import-3', { currency: 'EURO' }),
      row('import-4', { domain: 'unknown.example' }),
      row('import-5', { grossAmount: '-1.00' }),
      row('import-6', { partner: 'nobody' }),
    ];
    const dry = await server.graphql(IMPORT, { input: { rows, dryRun: true } });
    const expected = {
      imported: 2,
      updated: 0,
      skipped: 1,
      errors: [
        { index: 3, code: 'INVALID_FIELD', message: expect.stringContaining('currency') },
        { index: 4, code: 'NOT_FOUND', message: expect.stringContaining('unknown.example') },
        { index: 5, code: 'INVALID_FIELD', message: expect.stringContaining('negative') },
        { index: 6, code: 'INVALID_FIELD', message: expect.stringContaining('nobody') },
      ],
    };
    expect(dry.body.data.importBatch.data).toEqual(expected);
    expect(await server.database.prisma.transaction.count({ where: { partnerTransactionId: { startsWith: 'import-' } } })).toBe(0);

    const real = await server.graphql(IMPORT, { input: { rows } });
    expect(real.body.data.importBatch.data).toEqual(expected);
    const again = await server.graphql(IMPORT, { input: { rows } });
    expect(again.body.data.importBatch.data).toMatchObject({ imported: 0, updated: 0, skipped: 3 });

    const update = await server.graphql(IMPORT, { input: { rows: [row('import-1', { status: 'CONFIRMED' })] } });
    expect(update.body.data.importBatch.data).toMatchObject({ imported: 0, updated: 1, skipped: 0 });
  });

  it.each([
    ['a malformed Decimal', { grossAmount: '12,50' }],
    ['a float Decimal', { grossAmount: 12.5 }],
    ['a malformed DateTime', { occurredAt: '28.11.2026' }],
  ])('fails the whole request for %s', async (_label, overrides) => {
    const result = await server.graphql(IMPORT, { input: { rows: [row('whole-1'), row('whole-2', overrides)] } });
    expect(result.body.errors?.[0].message).toBeTruthy();
    expect(await server.database.prisma.transaction.count({ where: { partnerTransactionId: { startsWith: 'whole-' } } })).toBe(0);
  });
});

describe('partners and domains', () => {
  it.each([
    ['slug', { slug: 'Bad Slug', name: 'x' }],
    ['slug', { slug: 'batch-import', name: 'x' }],
    ['revenueShare', { slug: 'share', name: 'x', revenueShare: '1.5' }],
    ['name', { slug: 'blank', name: ' ' }],
  ])('rejects an invalid partner %s', async (field, input) => {
    const result = await server.graphql(
      'mutation ($input: UpsertPartnerInput!) { upsertPartner(input: $input) { __typename ... on ValidationError { field message } } }',
      { input },
    );
    expect(result.body.data.upsertPartner).toMatchObject({ __typename: 'ValidationError', field });
  });

  it('normalizes domain names and updates in place', async () => {
    const upsert = (domain: string, userId: number) =>
      server.graphql(
        'mutation ($input: UpsertDomainInput!) { upsertDomain(input: $input) { ... on MutationUpsertDomainSuccess { data { domain userId } } ... on ValidationError { field } } }',
        { input: { domain, userId } },
      );
    expect((await upsert('Bücher.EXAMPLE.', 7)).body.data.upsertDomain.data).toEqual({ domain: 'xn--bcher-kva.example', userId: 7 });
    expect((await upsert('xn--bcher-kva.example', 8)).body.data.upsertDomain.data).toEqual({ domain: 'xn--bcher-kva.example', userId: 8 });
    expect((await upsert('not a domain', 8)).body.data.upsertDomain.field).toBe('domain');
    expect((await upsert('ok.example', 0)).body.data.upsertDomain.field).toBe('userId');
  });

  it('answers empty totals for a domain without transactions', async () => {
    const result = await server.graphql('{ domainRevenue(domain: "nothing-yet.example") { domain totals { currency } } }');
    expect(result.body.data.domainRevenue).toEqual({ domain: 'nothing-yet.example', totals: [] });
  });
});

describe('http surface', () => {
  it('serves GraphiQL to a browser', async () => {
    const response = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('yield-ledger');
  });

  it('refuses a mutation over GET', async () => {
    const query = encodeURIComponent('mutation { confirmTransaction(id: "1") { __typename } }');
    const response = await fetch(`${server.url}/graphql?query=${query}`, {
      headers: { accept: 'application/json', 'x-internal-key': ADMIN_KEY, 'x-graphql-yoga-csrf': '1' },
    });
    expect(response.status).toBe(405);
  });

  it('refuses a GET query without the CSRF header', async () => {
    const query = encodeURIComponent('{ partners { slug } }');
    const response = await fetch(`${server.url}/graphql?query=${query}`, { headers: { accept: 'application/json', 'x-internal-key': ADMIN_KEY } });
    expect(response.status).toBe(403);

    const allowed = await fetch(`${server.url}/graphql?query=${query}`, {
      headers: { accept: 'application/json', 'x-internal-key': ADMIN_KEY, 'x-graphql-yoga-csrf': '1' },
    });
    expect(allowed.status).toBe(200);
  });

  it('masks unexpected errors', async () => {
    const result = await server.graphql('{ domainRevenue(domain: "x") { totals { currency } } transactions(first: 100000) { totalCount } }');
    const text = JSON.stringify(result.body);
    expect(text).not.toMatch(/prisma|SELECT|postgres|stack/i);
  });

  it('echoes the request id', async () => {
    const response = await fetch(`${server.url}/healthz`, { headers: { 'x-request-id': 'trace-123' } });
    expect(response.headers.get('x-request-id')).toBe('trace-123');
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
  });
});
