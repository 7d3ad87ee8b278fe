import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { CurrencyTotal } from '../../src/ledger/revenue.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const AWIN_ROUTE = '/yield-webhooks/awin/postback';
const GENERIC_ROUTE = '/yield-webhooks/demo';

// Each case writes to a domain of its own, so its totals start empty and no
// other case moves them.
const DOMAINS = {
  idempotency: 'idempotency.example',
  stale: 'stale-update.example',
  reversal: 'reversal.example',
  amendment: 'amendment.example',
  rounding: 'rounding.example',
  currencies: 'currencies.example',
  ascii: 'shop.example.com',
  idn: 'bücher.example',
  parallel: 'parallel.example',
  confirm: 'confirm.example',
  clicks: 'click-dedupe.example',
  attribution: 'attribution.example',
};

// A Decimal serialized with exactly 6 decimal places, never a float such as 9.799999999.
const SIX_DECIMAL_PLACES = /^\d+\.\d{6}$/;

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  // The first migration creates the partner "awin", and the generic route uses "demo". Both keep the default share 0.70.
  await server.seed({ partner: 'demo', domains: Object.values(DOMAINS) });
});

afterAll(async () => {
  expect(await server.totalsMismatches()).toEqual([]);
  await server.close();
});

interface PostbackResult {
  status: number;
  body: { success?: boolean; transaction_id?: number; message?: string; duplicate?: boolean; detail?: string; errors?: { field: string }[] };
}

async function send(route: string, payload: Record<string, unknown>): Promise<PostbackResult> {
  const response = await server.signedPostback(route, JSON.stringify(payload));
  return { status: response.status, body: await response.json() };
}

function awin(payload: Record<string, unknown>): Promise<PostbackResult> {
  return send(AWIN_ROUTE, payload);
}

function generic(payload: Record<string, unknown>): Promise<PostbackResult> {
  return send(GENERIC_ROUTE, payload);
}

async function domainRevenue(domain: string): Promise<{ domain: string; totals: CurrencyTotal[] }> {
  const result = await server.graphql(
    `query ($domain: String!) { domainRevenue(domain: $domain) { domain totals { currency confirmedGross confirmedNet pendingGross pendingNet clicks leads sales } } }`,
    { domain },
  );
  if (!result.body.data) throw new Error(`domainRevenue failed: ${JSON.stringify(result.body)}`);
  return result.body.data.domainRevenue;
}

/** Returns the domain's totals in one currency, or undefined when the domain has none in it. */
async function totalsIn(domain: string, currency: string): Promise<CurrencyTotal | undefined> {
  return (await domainRevenue(domain)).totals.find((total) => total.currency === currency);
}

async function transactionCount(domain: string): Promise<number> {
  const result = await server.graphql(`query ($domain: String!) { transactions(filter: { domain: $domain }) { totalCount } }`, { domain });
  if (!result.body.data) throw new Error(`transactions failed: ${JSON.stringify(result.body)}`);
  return result.body.data.transactions.totalCount;
}

/** Reads one transaction by its integer id with the given GraphQL selection. */
async function transaction(id: number | undefined, selection: string): Promise<any> {
  const result = await server.graphql(`query ($id: ID!) { transaction(id: $id) { ${selection} } }`, { id: String(id) });
  if (!result.body.data) throw new Error(`transaction failed: ${JSON.stringify(result.body)}`);
  return result.body.data.transaction;
}

async function confirm(id: number | undefined): Promise<any> {
  const result = await server.graphql(
    `mutation ($id: ID!) {
      confirmTransaction(id: $id) {
        __typename
        ... on MutationConfirmTransactionSuccess { data { transactionId status } }
        ... on Error { message }
      }
    }`,
    { id: String(id) },
  );
  if (!result.body.data) throw new Error(`confirmTransaction failed: ${JSON.stringify(result.body)}`);
  return result.body.data.confirmTransaction;
}

describe('idempotency', () => {
  it('Awin repeat is a duplicate', async () => {
    const payload = { clickRef: DOMAINS.idempotency, transactionId: 'TX-1001', status: 'pending', commission: '12.00', commissionCurrency: 'GBP' };
    const first = await awin(payload);
    const second = await awin(payload);

    expect(first.status).toBe(200);
    expect(first.body.duplicate).toBe(false);
    expect(second.status).toBe(200);
    expect(second.body.duplicate).toBe(true);
    expect(second.body.transaction_id).toBe(first.body.transaction_id);
    expect(await transactionCount(DOMAINS.idempotency)).toBe(1);
  });

  it('ten parallel Awin repeats store one row', async () => {
    const before = await transactionCount(DOMAINS.idempotency);
    const payload = { clickRef: DOMAINS.idempotency, transactionId: 'TX-1002', status: 'pending', commission: '12.00', commissionCurrency: 'GBP' };
    const results = await Promise.all(Array.from({ length: 10 }, () => awin(payload)));

    expect(results.map((result) => result.status)).toEqual(Array(10).fill(200));
    expect(new Set(results.map((result) => result.body.transaction_id)).size).toBe(1);
    expect(results.filter((result) => result.body.duplicate === false)).toHaveLength(1);
    expect(await transactionCount(DOMAINS.idempotency)).toBe(before + 1);
  });

  it('click without transaction_id deduplicates', async () => {
    const payload = { event_type: 'click', domain: DOMAINS.clicks, click_id: 'click-dedupe-1' };
    const first = await generic(payload);
    const second = await generic(payload);

    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body.duplicate).toBe(true);
    expect(second.body.transaction_id).toBe(first.body.transaction_id);
    expect(await transactionCount(DOMAINS.clicks)).toBe(1);
    expect((await totalsIn(DOMAINS.clicks, 'CHF'))?.clicks).toBe(1);
  });
});

describe('status updates', () => {
  it('pending after approval is stale', async () => {
    const approved = await awin({ clickRef: DOMAINS.stale, transactionId: 'TX-2002', status: 'approved', commission: '30.00' });
    const stale = await awin({ clickRef: DOMAINS.stale, transactionId: 'TX-2002', status: 'pending', commission: '30.00' });

    expect(approved.status).toBe(200);
    expect(stale.status).toBe(200);
    expect(stale.body.duplicate).toBe(false);
    expect(stale.body.message).toMatch(/stale/i);
    expect(stale.body.transaction_id).toBe(approved.body.transaction_id);

    const row = await transaction(approved.body.transaction_id, 'status history { applied source }');
    expect(row.status).toBe('CONFIRMED');
    expect(row.history).toHaveLength(2);
    expect(row.history[0]).toEqual({ applied: true, source: 'WEBHOOK' });
    expect(row.history[1]).toEqual({ applied: false, source: 'WEBHOOK' });

    const totals = await totalsIn(DOMAINS.stale, 'CHF');
    expect(totals?.confirmedNet).toBe('21.000000');
    expect(totals?.pendingNet).toBe('0.000000');
  });

  it('decline after approval reverses', async () => {
    // A second confirmed sale keeps the domain's revenue above zero, so the
    // drop after the reversal is exactly the reversed sale's net.
    await awin({ clickRef: DOMAINS.reversal, transactionId: 'TX-3000', status: 'approved', commission: '10.00' });
    const approved = await awin({ clickRef: DOMAINS.reversal, transactionId: 'TX-3003', status: 'approved', commission: '20.00' });
    expect(approved.status).toBe(200);
    expect((await totalsIn(DOMAINS.reversal, 'CHF'))?.confirmedNet).toBe('21.000000');

    const declined = await awin({ clickRef: DOMAINS.reversal, transactionId: 'TX-3003', status: 'declined' });
    expect(declined.status).toBe(200);
    expect(declined.body.duplicate).toBe(false);
    expect((await transaction(approved.body.transaction_id, 'status')).status).toBe('REVERSED');

    const totals = await totalsIn(DOMAINS.reversal, 'CHF');
    expect(totals?.confirmedNet).toBe('7.000000');
    expect(totals?.confirmedGross).toBe('10.000000');
    expect(totals?.sales).toBe(2);
  });

  it('negative commission returns 422', async () => {
    const before = await transactionCount(DOMAINS.reversal);
    const result = await awin({ clickRef: DOMAINS.reversal, transactionId: 'TX-3005', status: 'pending', commission: '-5.00' });

    expect(result.status).toBe(422);
    expect(result.body.errors?.[0]?.field).toBe('commission');
    expect(result.body.detail).toContain('commission');
    expect(await transactionCount(DOMAINS.reversal)).toBe(before);
  });

  it('approval with new amount amends', async () => {
    const pending = await awin({ clickRef: DOMAINS.amendment, transactionId: 'TX-4004', status: 'pending', commission: '100.00' });
    const approved = await awin({ clickRef: DOMAINS.amendment, transactionId: 'TX-4004', status: 'approved', commission: '60.00' });
    expect(pending.status).toBe(200);
    expect(approved.status).toBe(200);

    const row = await transaction(approved.body.transaction_id, 'status grossAmount netAmount');
    expect(row.status).toBe('CONFIRMED');
    expect(row.grossAmount).toBe('60.000000');
    expect(row.netAmount).toBe('42.000000');

    const totals = await totalsIn(DOMAINS.amendment, 'CHF');
    expect(totals?.confirmedNet).toBe('42.000000');
    expect(totals?.confirmedGross).toBe('60.000000');
    expect(totals?.pendingNet).toBe('0.000000');
    expect(totals?.pendingGross).toBe('0.000000');
  });
});

describe('exact amounts', () => {
  it('confirmed cents sum without float error', async () => {
    const cases = [
      { commission: '0.10', net: '0.070000' },
      { commission: '0.20', net: '0.140000' },
      { commission: '11.65', net: '8.155000' },
      { commission: '2.05', net: '1.435000' },
    ];
    for (const [index, { commission, net }] of cases.entries()) {
      const result = await awin({ clickRef: DOMAINS.rounding, transactionId: `TX-5${index}`, status: 'approved', commission, commissionCurrency: 'EUR' });
      expect(result.status).toBe(200);
      expect((await transaction(result.body.transaction_id, 'netAmount')).netAmount).toBe(net);
    }

    const totals = await totalsIn(DOMAINS.rounding, 'EUR');
    expect(totals?.confirmedGross).toBe('14.000000');
    // 0.07 + 0.14 + 8.155 + 1.435 = 9.8
    expect(totals?.confirmedNet).toBe('9.800000');
    for (const field of ['confirmedGross', 'confirmedNet', 'pendingGross', 'pendingNet'] as const) {
      expect(totals?.[field]).toMatch(SIX_DECIMAL_PLACES);
    }
  });

  it('currencies stay in separate totals', async () => {
    const spellings = [
      { id: 'cur-1', currency: 'eur' },
      { id: 'cur-2', currency: 'EUR' },
      { id: 'cur-3', currency: 'USD' },
    ];
    for (const { id, currency } of spellings) {
      const result = await generic({ event_type: 'sale', domain: DOMAINS.currencies, transaction_id: id, amount: '10.00', currency });
      expect(result.status).toBe(200);
    }

    const { totals } = await domainRevenue(DOMAINS.currencies);
    expect(totals.map((total) => total.currency)).toEqual(['EUR', 'USD']);
    expect(totals.find((total) => total.currency === 'EUR')?.pendingNet).toBe('14.000000');
    expect(totals.find((total) => total.currency === 'USD')?.pendingNet).toBe('7.000000');
  });

  it('unknown currency returns 422', async () => {
    const before = await transactionCount(DOMAINS.currencies);
    const result = await generic({ event_type: 'sale', domain: DOMAINS.currencies, transaction_id: 'cur-4', amount: '10.00', currency: 'EURO' });

    expect(result.status).toBe(422);
    expect(result.body.errors?.[0]?.field).toBe('currency');
    expect(await transactionCount(DOMAINS.currencies)).toBe(before);
  });

  it('fifty parallel sales sum exactly', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        generic({ event_type: 'sale', domain: DOMAINS.parallel, transaction_id: `parallel-${index}`, amount: '1.00', currency: 'EUR', status: 'confirmed' }),
      ),
    );

    expect(results.map((result) => result.status)).toEqual(Array(50).fill(200));
    expect(new Set(results.map((result) => result.body.transaction_id)).size).toBe(50);

    const totals = await totalsIn(DOMAINS.parallel, 'EUR');
    expect(totals?.confirmedGross).toBe('50.000000');
    expect(totals?.confirmedNet).toBe('35.000000');
    expect(totals?.sales).toBe(50);
  });
});

describe('domain names', () => {
  it('ASCII spellings share one domain', async () => {
    const spellings = ['Shop.Example.COM', 'shop.example.com.', ' shop.example.com '];
    for (const [index, domain] of spellings.entries()) {
      const result = await generic({ event_type: 'sale', domain, transaction_id: `spelling-${index}`, amount: '1.00' });
      expect(result.status).toBe(200);
    }

    expect(await transactionCount(DOMAINS.ascii)).toBe(3);
    const canonical = await domainRevenue(DOMAINS.ascii);
    expect(canonical.domain).toBe('shop.example.com');
    expect(canonical.totals[0]?.sales).toBe(3);
    for (const domain of spellings) {
      expect(await domainRevenue(domain)).toEqual(canonical);
    }
  });

  it('IDN and punycode share one domain', async () => {
    const spellings = ['bücher.example', 'xn--bcher-kva.example'];
    for (const [index, domain] of spellings.entries()) {
      const result = await generic({ event_type: 'sale', domain, transaction_id: `idn-${index}`, amount: '1.00' });
      expect(result.status).toBe(200);
    }

    expect(await transactionCount(DOMAINS.idn)).toBe(2);
    const canonical = await domainRevenue(DOMAINS.idn);
    expect(canonical.domain).toBe('xn--bcher-kva.example');
    expect(canonical.totals[0]?.sales).toBe(2);
    for (const domain of [...spellings, 'Bücher.EXAMPLE.']) {
      expect(await domainRevenue(domain)).toEqual(canonical);
    }
  });
});

describe('confirmTransaction', () => {
  it('second confirm adds nothing', async () => {
    const sale = await generic({ event_type: 'sale', domain: DOMAINS.confirm, transaction_id: 'confirm-1', amount: '10.00' });
    expect(sale.status).toBe(200);

    const first = await confirm(sale.body.transaction_id);
    const second = await confirm(sale.body.transaction_id);
    expect(first.__typename).toBe('MutationConfirmTransactionSuccess');
    expect(first.data.status).toBe('CONFIRMED');
    expect(second.__typename).toBe('MutationConfirmTransactionSuccess');
    expect(second.data.status).toBe('CONFIRMED');

    const totals = await totalsIn(DOMAINS.confirm, 'CHF');
    expect(totals?.confirmedNet).toBe('7.000000');
    expect(totals?.pendingNet).toBe('0.000000');
  });

  it('rejected transaction is InvalidStateError', async () => {
    const rejected = await generic({ event_type: 'sale', domain: DOMAINS.confirm, transaction_id: 'confirm-2', amount: '5.00', status: 'rejected' });
    expect(rejected.status).toBe(200);

    const result = await confirm(rejected.body.transaction_id);
    expect(result.__typename).toBe('InvalidStateError');
    expect(result.message).toMatch(/rejected/);
    expect((await transaction(rejected.body.transaction_id, 'status')).status).toBe('REJECTED');
    expect((await totalsIn(DOMAINS.confirm, 'CHF'))?.confirmedNet).toBe('7.000000');
  });
});

describe('attribution', () => {
  it('lead with unknown click_id unattributed', async () => {
    const lead = await generic({ event_type: 'lead', domain: DOMAINS.attribution, transaction_id: 'lead-1', click_id: 'no-such-click', amount: '2.00' });
    expect(lead.status).toBe(200);

    const row = await transaction(lead.body.transaction_id, 'clickId attributedClick { transactionId }');
    expect(row.clickId).toBe('no-such-click');
    expect(row.attributedClick).toBeNull();
  });
});
