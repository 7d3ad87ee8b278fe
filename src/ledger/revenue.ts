import { Prisma } from '../generated/prisma/client.js';
import type { Db } from './database.js';
import { domainNameForLookup } from './domains.js';
import { formatAmount } from './money.js';

export interface CurrencyTotal {
  currency: string;
  confirmedGross: string;
  confirmedNet: string;
  pendingGross: string;
  pendingNet: string;
  clicks: number;
  leads: number;
  sales: number;
}

export interface DomainRevenue {
  domain: string;
  totals: CurrencyTotal[];
}

interface TotalsRow {
  currency: string;
  confirmedGross: string;
  confirmedNet: string;
  pendingGross: string;
  pendingNet: string;
  clicks: number;
  leads: number;
  sales: number;
}

/** Formats a stored totals row, or a row of sums, with amounts to 6 decimal places. */
export function toCurrencyTotal(row: {
  currency: string;
  confirmedGross: { toString(): string };
  confirmedNet: { toString(): string };
  pendingGross: { toString(): string };
  pendingNet: { toString(): string };
  clicks: number;
  leads: number;
  sales: number;
}): CurrencyTotal {
  return {
    currency: row.currency,
    confirmedGross: formatAmount(row.confirmedGross),
    confirmedNet: formatAmount(row.confirmedNet),
    pendingGross: formatAmount(row.pendingGross),
    pendingNet: formatAmount(row.pendingNet),
    clicks: row.clicks,
    leads: row.leads,
    sales: row.sales,
  };
}

/**
 * Returns a domain's revenue per currency. Without a period or partner it
 * reads the stored totals; otherwise it sums the transactions whose
 * occurredAt lies in [from, to), of one partner when given.
 */
export async function domainRevenue(db: Db, domainInput: string, from?: Date, to?: Date, partner?: string): Promise<DomainRevenue> {
  const name = domainNameForLookup(domainInput);
  const domain = await db.yieldDomain.findUnique({ where: { name }, select: { id: true } });
  if (!domain) return { domain: name, totals: [] };

  if (!from && !to && !partner) {
    const rows = await db.domainTotal.findMany({ where: { domainId: domain.id }, orderBy: { currency: 'asc' } });
    return {
      domain: name,
      totals: rows.map(toCurrencyTotal),
    };
  }

  const rows = await db.$queryRaw<TotalsRow[]>`
    SELECT currency,
      COALESCE(SUM(gross_amount) FILTER (WHERE status = 'CONFIRMED'), 0)::text AS "confirmedGross",
      COALESCE(SUM(net_amount) FILTER (WHERE status = 'CONFIRMED'), 0)::text AS "confirmedNet",
      COALESCE(SUM(gross_amount) FILTER (WHERE status = 'PENDING'), 0)::text AS "pendingGross",
      COALESCE(SUM(net_amount) FILTER (WHERE status = 'PENDING'), 0)::text AS "pendingNet",
      (COUNT(*) FILTER (WHERE event_type = 'CLICK'))::int AS clicks,
      (COUNT(*) FILTER (WHERE event_type = 'LEAD'))::int AS leads,
      (COUNT(*) FILTER (WHERE event_type = 'SALE'))::int AS sales
    FROM "transaction"
    WHERE domain_id = ${domain.id}
      AND (${from ?? null}::timestamptz IS NULL OR occurred_at >= ${from ?? null}::timestamptz)
      AND (${to ?? null}::timestamptz IS NULL OR occurred_at < ${to ?? null}::timestamptz)
      ${partner ? Prisma.sql`AND partner_id = (SELECT id FROM partner WHERE slug = ${partner.trim().toLowerCase()})` : Prisma.empty}
    GROUP BY currency ORDER BY currency`;

  return {
    domain: name,
    totals: rows.map(toCurrencyTotal),
  };
}
