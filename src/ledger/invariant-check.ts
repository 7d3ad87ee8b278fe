import type { Db } from './database.js';
import { Money } from './money.js';

export interface TotalsMismatch {
  domainId: number;
  domain: string;
  currency: string;
  /** The column that differs: confirmedGross, pendingNet, clicks and so on. */
  field: string;
  stored: string;
  expected: string;
}

interface ComparedRow {
  domainId: number;
  domain: string;
  currency: string;
  storedConfirmedGross: string;
  expectedConfirmedGross: string;
  storedConfirmedNet: string;
  expectedConfirmedNet: string;
  storedPendingGross: string;
  expectedPendingGross: string;
  storedPendingNet: string;
  expectedPendingNet: string;
  storedClicks: string;
  expectedClicks: string;
  storedLeads: string;
  expectedLeads: string;
  storedSales: string;
  expectedSales: string;
}

const FIELDS = ['ConfirmedGross', 'ConfirmedNet', 'PendingGross', 'PendingNet', 'Clicks', 'Leads', 'Sales'] as const;

/**
 * Recomputes every domain's totals from its transactions and lists each
 * stored value that differs. An empty list means the ledger is consistent.
 */
export async function checkTotals(db: Db): Promise<TotalsMismatch[]> {
  const rows = await db.$queryRaw<ComparedRow[]>`
    WITH expected AS (
      SELECT domain_id, currency,
        COALESCE(SUM(gross_amount) FILTER (WHERE status = 'CONFIRMED'), 0) AS confirmed_gross,
        COALESCE(SUM(net_amount) FILTER (WHERE status = 'CONFIRMED'), 0) AS confirmed_net,
        COALESCE(SUM(gross_amount) FILTER (WHERE status = 'PENDING'), 0) AS pending_gross,
        COALESCE(SUM(net_amount) FILTER (WHERE status = 'PENDING'), 0) AS pending_net,
        COUNT(*) FILTER (WHERE event_type = 'CLICK') AS clicks,
        COUNT(*) FILTER (WHERE event_type = 'LEAD') AS leads,
        COUNT(*) FILTER (WHERE event_type = 'SALE') AS sales
      FROM "transaction" GROUP BY domain_id, currency
    ), compared AS (
      SELECT COALESCE(e.domain_id, s.domain_id) AS domain_id, COALESCE(e.currency, s.currency) AS currency,
        COALESCE(s.confirmed_gross, 0) AS s_cg, COALESCE(e.confirmed_gross, 0) AS e_cg,
        COALESCE(s.confirmed_net, 0) AS s_cn, COALESCE(e.confirmed_net, 0) AS e_cn,
        COALESCE(s.pending_gross, 0) AS s_pg, COALESCE(e.pending_gross, 0) AS e_pg,
        COALESCE(s.pending_net, 0) AS s_pn, COALESCE(e.pending_net, 0) AS e_pn,
        COALESCE(s.clicks, 0) AS s_c, COALESCE(e.clicks, 0) AS e_c,
        COALESCE(s.leads, 0) AS s_l, COALESCE(e.leads, 0) AS e_l,
        COALESCE(s.sales, 0) AS s_s, COALESCE(e.sales, 0) AS e_s
      FROM expected e FULL OUTER JOIN domain_total s ON s.domain_id = e.domain_id AND s.currency = e.currency
    )
    SELECT c.domain_id AS "domainId", d.name AS domain, c.currency,
      s_cg::text AS "storedConfirmedGross", e_cg::text AS "expectedConfirmedGross",
      s_cn::text AS "storedConfirmedNet", e_cn::text AS "expectedConfirmedNet",
      s_pg::text AS "storedPendingGross", e_pg::text AS "expectedPendingGross",
      s_pn::text AS "storedPendingNet", e_pn::text AS "expectedPendingNet",
      s_c::text AS "storedClicks", e_c::text AS "expectedClicks",
      s_l::text AS "storedLeads", e_l::text AS "expectedLeads",
      s_s::text AS "storedSales", e_s::text AS "expectedSales"
    FROM compared c JOIN yield_domain d ON d.id = c.domain_id
    WHERE s_cg <> e_cg OR s_cn <> e_cn OR s_pg <> e_pg OR s_pn <> e_pn OR s_c <> e_c OR s_l <> e_l OR s_s <> e_s
    ORDER BY c.domain_id, c.currency`;

  const mismatches: TotalsMismatch[] = [];
  for (const row of rows) {
    for (const field of FIELDS) {
      const stored = row[`stored${field}`];
      const expected = row[`expected${field}`];
      if (new Money(stored).eq(expected)) continue;
      mismatches.push({
        domainId: row.domainId,
        domain: row.domain,
        currency: row.currency,
        field: field[0]!.toLowerCase() + field.slice(1),
        stored,
        expected,
      });
    }
  }
  return mismatches;
}
