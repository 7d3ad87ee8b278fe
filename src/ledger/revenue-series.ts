import { Prisma } from '../generated/prisma/client.js';
import type { Db } from './database.js';
import { domainNameForLookup } from './domains.js';
import { ValidationError } from './errors.js';
import { formatAmount } from './money.js';
import type { CurrencyTotal } from './revenue.js';

export type SeriesInterval = 'DAY' | 'WEEK' | 'MONTH';

export interface RevenuePoint extends CurrencyTotal {
  /** Start of the bucket: local midnight (Monday for weeks, the 1st for months) in the series' time zone. */
  start: Date;
}

export interface RevenueSeriesQuery {
  domain: string;
  from: Date;
  to: Date;
  interval: SeriesInterval;
  timezone: string;
  partner?: string;
}

export interface RevenueSeries {
  domain: string;
  interval: SeriesInterval;
  timezone: string;
  points: RevenuePoint[];
}

export const MAX_SERIES_BUCKETS = 1000;
const BUCKET_DAYS: Record<SeriesInterval, number> = { DAY: 1, WEEK: 7, MONTH: 28 };

interface PointRow {
  start: Date;
  currency: string;
  confirmedGross: string;
  confirmedNet: string;
  pendingGross: string;
  pendingNet: string;
  clicks: number;
  leads: number;
  sales: number;
}

/**
 * Returns a domain's revenue per time bucket and currency for occurredAt in
 * [from, to). Buckets follow the calendar of `timezone`, so a day matches a
 * partner report written in that zone, and empty buckets are returned as
 * zeros for every currency seen in the period.
 */
export async function domainRevenueSeries(db: Db, query: RevenueSeriesQuery): Promise<RevenueSeries> {
  const name = domainNameForLookup(query.domain);
  if (query.from.getTime() >= query.to.getTime()) throw new ValidationError('to', 'to must be later than from');
  const buckets = (query.to.getTime() - query.from.getTime()) / (BUCKET_DAYS[query.interval] * 86_400_000);
  if (buckets > MAX_SERIES_BUCKETS) {
    throw new ValidationError('from', `the period spans more than ${MAX_SERIES_BUCKETS} ${query.interval.toLowerCase()} buckets; shorten it or use a longer interval`);
  }
  await checkTimeZone(db, query.timezone);

  const unit = query.interval.toLowerCase();
  const step = `1 ${unit}`;
  const partnerCondition = query.partner
    ? Prisma.sql`AND t.partner_id = (SELECT id FROM partner WHERE slug = ${query.partner.trim().toLowerCase()})`
    : Prisma.empty;

  const rows = await db.$queryRaw<PointRow[]>`
    WITH buckets AS (
      SELECT generate_series(
        date_trunc(${unit}, ${query.from}::timestamptz AT TIME ZONE ${query.timezone}),
        (${query.to}::timestamptz AT TIME ZONE ${query.timezone}) - interval '1 microsecond',
        ${step}::interval) AS local_start
    ), sums AS (
      SELECT date_trunc(${unit}, t.occurred_at AT TIME ZONE ${query.timezone}) AS local_start, t.currency,
        COALESCE(SUM(t.gross_amount) FILTER (WHERE t.status = 'CONFIRMED'), 0) AS confirmed_gross,
        COALESCE(SUM(t.net_amount) FILTER (WHERE t.status = 'CONFIRMED'), 0) AS confirmed_net,
        COALESCE(SUM(t.gross_amount) FILTER (WHERE t.status = 'PENDING'), 0) AS pending_gross,
        COALESCE(SUM(t.net_amount) FILTER (WHERE t.status = 'PENDING'), 0) AS pending_net,
        COUNT(*) FILTER (WHERE t.event_type = 'CLICK') AS clicks,
        COUNT(*) FILTER (WHERE t.event_type = 'LEAD') AS leads,
        COUNT(*) FILTER (WHERE t.event_type = 'SALE') AS sales
      FROM "transaction" t JOIN yield_domain d ON d.id = t.domain_id
      WHERE d.name = ${name} AND t.occurred_at >= ${query.from}::timestamptz AND t.occurred_at < ${query.to}::timestamptz
        ${partnerCondition}
      GROUP BY 1, 2
    ), currencies AS (SELECT DISTINCT currency FROM sums)
    SELECT (b.local_start AT TIME ZONE ${query.timezone}) AS start, c.currency,
      COALESCE(s.confirmed_gross, 0)::text AS "confirmedGross", COALESCE(s.confirmed_net, 0)::text AS "confirmedNet",
      COALESCE(s.pending_gross, 0)::text AS "pendingGross", COALESCE(s.pending_net, 0)::text AS "pendingNet",
      COALESCE(s.clicks, 0)::int AS clicks, COALESCE(s.leads, 0)::int AS leads, COALESCE(s.sales, 0)::int AS sales
    FROM buckets b CROSS JOIN currencies c
    LEFT JOIN sums s ON s.local_start = b.local_start AND s.currency = c.currency
    ORDER BY b.local_start, c.currency`;

  return {
    domain: name,
    interval: query.interval,
    timezone: query.timezone,
    points: rows.map((row) => ({
      ...row,
      start: new Date(row.start),
      confirmedGross: formatAmount(row.confirmedGross),
      confirmedNet: formatAmount(row.confirmedNet),
      pendingGross: formatAmount(row.pendingGross),
      pendingNet: formatAmount(row.pendingNet),
    })),
  };
}

async function checkTimeZone(db: Db, timezone: string): Promise<void> {
  const known = await db.$queryRaw<{ name: string }[]>`SELECT name FROM pg_timezone_names WHERE name = ${timezone} LIMIT 1`;
  if (known.length === 0) {
    throw new ValidationError('timezone', `timezone "${timezone.slice(0, 60)}" is not an IANA time zone name such as "Europe/Zurich" or "UTC"`);
  }
}
