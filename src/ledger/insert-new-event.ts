import { Prisma } from '../generated/prisma/client.js';
import { DEFAULT_CURRENCY } from './currency.js';
import type { Db } from './database.js';
import { netAmount } from './money.js';
import type { DeliveryInfo, LedgerEvent, PartnerRef, RecordOutcome } from './record-event.js';
import { ADD_TO_EXISTING_TOTALS, contribution } from './totals.js';
import type { ChangeContext } from './transaction-change.js';

export const RECORDED_MESSAGE = 'Transaction recorded.';

/**
 * Records an event that is new to the ledger in one SQL statement. The
 * transaction row, its first history entry, the delivery log entry and the
 * totals increment are data-modifying parts of one WITH query, so they
 * commit together in one round trip. Returns undefined, having written
 * nothing, when the idempotency key is taken or the domain is not active.
 * recordEvent then takes the general path, which reports which case applies.
 */
export async function insertNewEvent(
  db: Db,
  partner: PartnerRef,
  event: LedgerEvent,
  context: ChangeContext,
  delivery: DeliveryInfo | undefined,
): Promise<RecordOutcome | undefined> {
  const status = event.status ?? (event.eventType === 'CLICK' ? 'CONFIRMED' : 'PENDING');
  const gross = event.grossAmount ?? '0.000000';
  const revenueShare = partner.revenueShare.toString();
  const net = netAmount(gross, revenueShare);
  const currency = event.currency ?? DEFAULT_CURRENCY;
  const now = new Date();
  const delta = contribution(event.eventType, status, gross, net);
  const clickDedupeKey = event.eventType === 'CLICK' && !event.partnerTransactionId ? (event.clickId ?? null) : null;
  const attributable = event.eventType !== 'CLICK' && event.clickId ? event.clickId : null;
  const domainCondition = 'id' in event.domain ? Prisma.sql`id = ${event.domain.id}` : Prisma.sql`name = ${event.domain.name}`;

  const rows = await db.$queryRaw<{ id: number }[]>`
    WITH d AS (
      SELECT id FROM yield_domain WHERE ${domainCondition} AND status = 'ACTIVE'
    ), ins AS (
      INSERT INTO "transaction" (domain_id, partner_id, event_type, status, partner_transaction_id, click_id, click_dedupe_key,
        attributed_click_id, gross_amount, net_amount, revenue_share, currency, occurred_at, created_at, updated_at, confirmed_at,
        referrer, user_agent, geo_country, ip_hash, metadata)
      SELECT d.id, ${partner.id}, ${event.eventType}::"EventType", ${status}::"TransactionStatus",
        ${event.partnerTransactionId ?? null}::text, ${event.clickId ?? null}::text, ${clickDedupeKey}::text,
        (SELECT c.id FROM "transaction" c
          WHERE ${attributable}::text IS NOT NULL AND c.domain_id = d.id AND c.event_type = 'CLICK' AND c.click_id = ${attributable}::text
          ORDER BY c.id LIMIT 1),
        ${gross}::numeric, ${net}::numeric, ${revenueShare}::numeric, ${currency}::text,
        ${event.occurredAt ?? now}::timestamptz, ${now}::timestamptz, ${now}::timestamptz,
        ${status === 'CONFIRMED' ? now : null}::timestamptz,
        ${event.referrer ?? null}::text, ${event.userAgent ?? null}::text, ${event.geoCountry ?? null}::text, ${event.ipHash ?? null}::text,
        ${event.metadata === undefined ? null : JSON.stringify(event.metadata)}::jsonb
      FROM d
      ON CONFLICT DO NOTHING
      RETURNING id, domain_id
    ), delivery AS (
      INSERT INTO webhook_delivery (partner_id, partner_slug, route, received_at, http_status, outcome, reason, body_sha256, transaction_id, request_id)
      SELECT ${partner.id}, ${partner.slug}, ${delivery?.route ?? null}::text, ${now}::timestamptz, 200, 'created', ${RECORDED_MESSAGE},
        ${delivery?.bodySha256 ?? null}::text, ins.id, ${delivery?.requestId ?? null}::text
      FROM ins WHERE ${delivery !== undefined}
      RETURNING id
    ), history AS (
      INSERT INTO transaction_change (transaction_id, source, actor, new_status, new_gross_amount, new_net_amount, delivery_id, created_at)
      SELECT ins.id, ${context.source}::"ChangeSource", ${context.actor}, ${status}::"TransactionStatus", ${gross}::numeric, ${net}::numeric,
        (SELECT id FROM delivery), ${now}::timestamptz
      FROM ins
    ), totals AS (
      INSERT INTO domain_total AS t (domain_id, currency, confirmed_gross, confirmed_net, pending_gross, pending_net, clicks, leads, sales)
      SELECT ins.domain_id, ${currency}::text, ${delta.confirmedGross.toFixed()}::numeric, ${delta.confirmedNet.toFixed()}::numeric,
        ${delta.pendingGross.toFixed()}::numeric, ${delta.pendingNet.toFixed()}::numeric, ${delta.clicks}, ${delta.leads}, ${delta.sales}
      FROM ins
      ${ADD_TO_EXISTING_TOTALS}
    )
    SELECT id FROM ins`;

  const row = rows[0];
  return row ? { transactionId: row.id, result: 'created', message: RECORDED_MESSAGE } : undefined;
}
