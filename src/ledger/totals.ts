import { Prisma, type EventType, type TransactionStatus } from '../generated/prisma/client.js';
import type { Tx } from './database.js';
import { Money, type MoneyValue } from './money.js';

/** The amounts and counts one transaction adds to its domain's totals row. */
export interface TotalsDelta {
  confirmedGross: Money;
  confirmedNet: Money;
  pendingGross: Money;
  pendingNet: Money;
  clicks: number;
  leads: number;
  sales: number;
}

const ZERO = new Money(0);

/**
 * Returns what a transaction in this state contributes: revenue counts only
 * when confirmed, pending is kept apart, and every status counts as an event.
 */
export function contribution(
  eventType: EventType,
  status: TransactionStatus,
  gross: MoneyValue,
  net: MoneyValue,
  counted = true,
): TotalsDelta {
  return {
    confirmedGross: status === 'CONFIRMED' ? new Money(gross) : ZERO,
    confirmedNet: status === 'CONFIRMED' ? new Money(net) : ZERO,
    pendingGross: status === 'PENDING' ? new Money(gross) : ZERO,
    pendingNet: status === 'PENDING' ? new Money(net) : ZERO,
    clicks: counted && eventType === 'CLICK' ? 1 : 0,
    leads: counted && eventType === 'LEAD' ? 1 : 0,
    sales: counted && eventType === 'SALE' ? 1 : 0,
  };
}

export function subtract(after: TotalsDelta, before: TotalsDelta): TotalsDelta {
  return {
    confirmedGross: after.confirmedGross.minus(before.confirmedGross),
    confirmedNet: after.confirmedNet.minus(before.confirmedNet),
    pendingGross: after.pendingGross.minus(before.pendingGross),
    pendingNet: after.pendingNet.minus(before.pendingNet),
    clicks: after.clicks - before.clicks,
    leads: after.leads - before.leads,
    sales: after.sales - before.sales,
  };
}

export function add(left: TotalsDelta, right: TotalsDelta): TotalsDelta {
  return {
    confirmedGross: left.confirmedGross.plus(right.confirmedGross),
    confirmedNet: left.confirmedNet.plus(right.confirmedNet),
    pendingGross: left.pendingGross.plus(right.pendingGross),
    pendingNet: left.pendingNet.plus(right.pendingNet),
    clicks: left.clicks + right.clicks,
    leads: left.leads + right.leads,
    sales: left.sales + right.sales,
  };
}

function isZero(delta: TotalsDelta): boolean {
  return (
    delta.confirmedGross.isZero() &&
    delta.confirmedNet.isZero() &&
    delta.pendingGross.isZero() &&
    delta.pendingNet.isZero() &&
    delta.clicks === 0 &&
    delta.leads === 0 &&
    delta.sales === 0
  );
}

/**
 * The conflict clause of an insert into domain_total AS t: an existing row
 * is increased by the inserted values in the same statement, so concurrent
 * writers never lose an increment.
 */
export const ADD_TO_EXISTING_TOTALS = Prisma.sql`
  ON CONFLICT (domain_id, currency) DO UPDATE SET
    confirmed_gross = t.confirmed_gross + EXCLUDED.confirmed_gross,
    confirmed_net = t.confirmed_net + EXCLUDED.confirmed_net,
    pending_gross = t.pending_gross + EXCLUDED.pending_gross,
    pending_net = t.pending_net + EXCLUDED.pending_net,
    clicks = t.clicks + EXCLUDED.clicks,
    leads = t.leads + EXCLUDED.leads,
    sales = t.sales + EXCLUDED.sales`;

/** Adds a delta to the domain's totals row for one currency. */
export async function applyTotalsDelta(tx: Tx, domainId: number, currency: string, delta: TotalsDelta): Promise<void> {
  await applyTotalsDeltas(tx, [{ domainId, currency, delta }]);
}

/** A totals delta for one domain and currency. */
export interface DomainTotalsDelta {
  domainId: number;
  currency: string;
  delta: TotalsDelta;
}

/**
 * Adds many deltas with one atomic upsert, as applyTotalsDelta does for one.
 * Rows are written in (domain, currency) order, so two calls that touch the
 * same totals rows lock them in the same order.
 */
export async function applyTotalsDeltas(tx: Tx, deltas: readonly DomainTotalsDelta[]): Promise<void> {
  const records = deltas
    .filter(({ delta }) => !isZero(delta))
    .sort((left, right) => left.domainId - right.domainId || left.currency.localeCompare(right.currency))
    .map(({ domainId, currency, delta }, position) => ({
      position,
      domain_id: domainId,
      currency,
      confirmed_gross: delta.confirmedGross.toFixed(),
      confirmed_net: delta.confirmedNet.toFixed(),
      pending_gross: delta.pendingGross.toFixed(),
      pending_net: delta.pendingNet.toFixed(),
      clicks: delta.clicks,
      leads: delta.leads,
      sales: delta.sales,
    }));
  if (records.length === 0) return;

  await tx.$executeRaw`
    INSERT INTO domain_total AS t
      (domain_id, currency, confirmed_gross, confirmed_net, pending_gross, pending_net, clicks, leads, sales)
    SELECT d.domain_id, d.currency, d.confirmed_gross, d.confirmed_net, d.pending_gross, d.pending_net, d.clicks, d.leads, d.sales
    FROM json_to_recordset(${JSON.stringify(records)}::json) AS d(
      position int, domain_id int, currency text, confirmed_gross numeric, confirmed_net numeric, pending_gross numeric,
      pending_net numeric, clicks int, leads int, sales int)
    ORDER BY d.position
    ${ADD_TO_EXISTING_TOTALS}`;
}
