import type { EventType, TransactionStatus } from '../generated/prisma/client.js';
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
 * Adds a delta to the domain's totals row for one currency with a single
 * atomic upsert, so concurrent writers never lose an increment.
 */
export async function applyTotalsDelta(tx: Tx, domainId: number, currency: string, delta: TotalsDelta): Promise<void> {
  if (isZero(delta)) return;

  await tx.$executeRaw`
    INSERT INTO domain_total AS t
      (domain_id, currency, confirmed_gross, confirmed_net, pending_gross, pending_net, clicks, leads, sales)
    VALUES (${domainId}, ${currency},
      ${delta.confirmedGross.toFixed()}::numeric, ${delta.confirmedNet.toFixed()}::numeric,
      ${delta.pendingGross.toFixed()}::numeric, ${delta.pendingNet.toFixed()}::numeric,
      ${delta.clicks}, ${delta.leads}, ${delta.sales})
    ON CONFLICT (domain_id, currency) DO UPDATE SET
      confirmed_gross = t.confirmed_gross + EXCLUDED.confirmed_gross,
      confirmed_net = t.confirmed_net + EXCLUDED.confirmed_net,
      pending_gross = t.pending_gross + EXCLUDED.pending_gross,
      pending_net = t.pending_net + EXCLUDED.pending_net,
      clicks = t.clicks + EXCLUDED.clicks,
      leads = t.leads + EXCLUDED.leads,
      sales = t.sales + EXCLUDED.sales`;
}
