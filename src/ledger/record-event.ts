import type { DomainStatus, EventType, Prisma, TransactionStatus } from '../generated/prisma/client.js';
import { DEFAULT_CURRENCY } from './currency.js';
import { TRANSACTION_OPTIONS, type Db, type Tx } from './database.js';
import { ConflictError, NotFoundError } from './errors.js';
import { insertNewEvent, RECORDED_MESSAGE } from './insert-new-event.js';
import { netAmount } from './money.js';
import { applyTotalsDelta, contribution } from './totals.js';
import { changeTransaction, lockTransactionByKey, type ChangeContext, type ChangeResult } from './transaction-change.js';

/** A domain as a postback names it: by normalized name, or by its numeric id. */
export type DomainRef = { name: string } | { id: number };

/** One click, lead or sale in the form every partner adapter produces. */
export interface LedgerEvent {
  eventType: EventType;
  domain: DomainRef;
  partnerTransactionId?: string;
  clickId?: string;
  /** Gross commission with 6 decimal places; absent on a pure status update. */
  grossAmount?: string;
  /** Upper-case ISO 4217 code; absent means the stored one, or CHF for a new row. */
  currency?: string;
  status?: TransactionStatus;
  occurredAt?: Date;
  referrer?: string;
  userAgent?: string;
  geoCountry?: string;
  ipHash?: string;
  metadata?: Prisma.InputJsonValue;
}

export interface PartnerRef {
  id: number;
  slug: string;
  revenueShare: { toString(): string };
}

/** The webhook request an event arrived with, logged in the same database transaction. */
export interface DeliveryInfo {
  route: string;
  bodySha256: string;
  webhookId?: string;
  requestId?: string;
}

export interface RecordOutcome {
  transactionId: number;
  result: 'created' | ChangeResult;
  message: string;
}

/**
 * Records one event under the ledger rules. The transaction row, its
 * history, the domain totals and the delivery log entry are written in one
 * database transaction: either all of them or none.
 */
export async function recordEvent(
  db: Db,
  partner: PartnerRef,
  event: LedgerEvent,
  context: ChangeContext,
  delivery?: DeliveryInfo,
): Promise<RecordOutcome> {
  // Most postbacks report a new event: one statement records it. A
  // Standard Webhooks delivery must claim its webhook-id first, so it takes
  // the general path.
  const triedInsert = !delivery?.webhookId;
  if (triedInsert) {
    const created = await insertNewEvent(db, partner, event, context, delivery);
    if (created) return created;
  }

  const domainId = await resolveActiveDomain(db, event.domain);
  return db.$transaction(
    (tx) => recordEventInTransaction(tx, partner, domainId, event, context, delivery, { existing: triedInsert }),
    TRANSACTION_OPTIONS,
  );
}

/** Finds an active domain's id, or throws NotFoundError naming the domain. */
export async function resolveActiveDomain(db: Db | Tx, ref: DomainRef): Promise<number> {
  const domain = await db.yieldDomain.findUnique({
    where: 'id' in ref ? { id: ref.id } : { name: ref.name },
    select: { id: true, status: true },
  });
  return activeDomainId(ref, domain);
}

/** Returns the id of a looked-up domain, or throws NotFoundError when it is missing or not active. */
export function activeDomainId(ref: DomainRef, domain: { id: number; status: DomainStatus } | null | undefined): number {
  const label = 'id' in ref ? `with id ${ref.id}` : `"${ref.name}"`;
  if (!domain) throw new NotFoundError(`Domain ${label} is not known to the ledger; an admin adds it with upsertDomain.`);
  if (domain.status !== 'ACTIVE') throw new NotFoundError(`Domain ${label} is ${domain.status.toLowerCase()}, so it takes no events.`);
  return domain.id;
}

export async function recordEventInTransaction(
  tx: Tx,
  partner: PartnerRef,
  domainId: number,
  event: LedgerEvent,
  context: ChangeContext,
  delivery?: DeliveryInfo,
  options: { existing?: boolean } = {},
): Promise<RecordOutcome> {
  if (delivery?.webhookId) {
    const repeated = await claimWebhookMessage(tx, partner.id, delivery.webhookId);
    if (repeated !== undefined) {
      const message = 'Duplicate: this webhook-id was already processed; nothing changed.';
      await logAcceptedDelivery(tx, partner, delivery, repeated, 'duplicate', message);
      return { transactionId: repeated, result: 'duplicate', message };
    }
  }

  // After insertNewEvent found the key taken, the row exists: go straight
  // to locking it. A domain that became active in between falls back here.
  const existing = options.existing ? await lockTransactionByKey(tx, partner.id, idempotencyKey(event)) : undefined;
  const created = existing ? undefined : await insertIfNew(tx, partner, domainId, event);
  let outcome: RecordOutcome;

  if (created) {
    const message = RECORDED_MESSAGE;
    const deliveryId = await logAcceptedDelivery(tx, partner, delivery, created.id, 'created', message);
    await applyTotalsDelta(tx, domainId, created.currency, contribution(event.eventType, created.status, created.grossAmount, created.netAmount));
    await tx.transactionChange.create({
      data: {
        transactionId: created.id,
        source: context.source,
        actor: context.actor,
        newStatus: created.status,
        newGrossAmount: created.grossAmount,
        newNetAmount: created.netAmount,
        deliveryId,
      },
    });
    outcome = { transactionId: created.id, result: 'created', message };
  } else {
    const current = existing ?? (await lockTransactionByKey(tx, partner.id, idempotencyKey(event)));
    if (!current) throw new Error('The insert was skipped as a duplicate, but no row has its idempotency key.');
    checkIdentity(current, domainId, event);

    const change = await changeTransaction(tx, current, { status: event.status, grossAmount: event.grossAmount }, context, (planned) =>
      logAcceptedDelivery(tx, partner, delivery, current.id, planned.result, planned.message),
    );
    outcome = { transactionId: current.id, ...change };
  }

  if (delivery?.webhookId) {
    await tx.webhookMessage.update({
      where: { partnerId_webhookId: { partnerId: partner.id, webhookId: delivery.webhookId } },
      data: { transactionId: outcome.transactionId },
    });
  }
  return outcome;
}

/**
 * Inserts the transaction unless its idempotency key exists. The unique
 * constraints decide, so concurrent duplicates can never both insert.
 */
async function insertIfNew(tx: Tx, partner: PartnerRef, domainId: number, event: LedgerEvent) {
  const status = event.status ?? (event.eventType === 'CLICK' ? 'CONFIRMED' : 'PENDING');
  const gross = event.grossAmount ?? '0.000000';
  const revenueShare = partner.revenueShare.toString();
  const now = new Date();

  const attributedClickId =
    event.eventType !== 'CLICK' && event.clickId ? await findAttributedClick(tx, domainId, event.clickId) : undefined;

  const rows = await tx.transaction.createManyAndReturn({
    data: [
      {
        domainId,
        partnerId: partner.id,
        eventType: event.eventType,
        status,
        partnerTransactionId: event.partnerTransactionId,
        clickId: event.clickId,
        clickDedupeKey: event.eventType === 'CLICK' && !event.partnerTransactionId ? event.clickId : undefined,
        attributedClickId,
        grossAmount: gross,
        netAmount: netAmount(gross, revenueShare),
        revenueShare,
        currency: event.currency ?? DEFAULT_CURRENCY,
        occurredAt: event.occurredAt ?? now,
        createdAt: now,
        confirmedAt: status === 'CONFIRMED' ? now : undefined,
        referrer: event.referrer,
        userAgent: event.userAgent,
        geoCountry: event.geoCountry,
        ipHash: event.ipHash,
        metadata: event.metadata,
      },
    ],
    skipDuplicates: true,
    select: { id: true, status: true, currency: true, grossAmount: true, netAmount: true },
  });
  const row = rows[0];
  if (!row) return undefined;
  return { ...row, grossAmount: row.grossAmount.toFixed(6), netAmount: row.netAmount.toFixed(6) };
}

function idempotencyKey(event: LedgerEvent): { partnerTransactionId: string } | { clickDedupeKey: string } {
  return event.partnerTransactionId ? { partnerTransactionId: event.partnerTransactionId } : { clickDedupeKey: event.clickId ?? '' };
}

async function findAttributedClick(tx: Tx, domainId: number, clickId: string): Promise<number | undefined> {
  const click = await tx.transaction.findFirst({
    where: { domainId, eventType: 'CLICK', clickId },
    orderBy: { id: 'asc' },
    select: { id: true },
  });
  return click?.id;
}

/** Throws ConflictError when the idempotency key already belongs to another domain, event type or currency. */
export function checkIdentity(current: { domainId: number; eventType: EventType; currency: string; id: number }, domainId: number, event: LedgerEvent): void {
  const differences: string[] = [];
  if (current.domainId !== domainId) differences.push('domain');
  if (current.eventType !== event.eventType) differences.push(`event type (stored ${current.eventType.toLowerCase()})`);
  if (event.currency && current.currency !== event.currency) differences.push(`currency (stored ${current.currency})`);
  if (differences.length === 0) return;

  const key = event.partnerTransactionId ? `transaction_id "${event.partnerTransactionId}"` : `click_id "${event.clickId}"`;
  throw new ConflictError(
    `The ${key} already belongs to transaction ${current.id} with another ${differences.join(' and ')}; send a new transaction_id for a new event.`,
  );
}

/**
 * Claims a Standard Webhooks message id. Returns undefined when this is the
 * first delivery, else the transaction the earlier delivery recorded. The
 * insert waits for a concurrent claim of the same id to commit, and that
 * commit always carries the transaction id.
 */
async function claimWebhookMessage(tx: Tx, partnerId: number, webhookId: string): Promise<number | undefined> {
  const inserted = await tx.$executeRaw`
    INSERT INTO webhook_message (partner_id, webhook_id) VALUES (${partnerId}, ${webhookId})
    ON CONFLICT DO NOTHING`;
  if (inserted === 1) return undefined;

  const earlier = await tx.webhookMessage.findUnique({
    where: { partnerId_webhookId: { partnerId, webhookId } },
    select: { transactionId: true },
  });
  if (!earlier?.transactionId) throw new Error(`webhook-id "${webhookId}" is claimed but has no transaction.`);
  return earlier.transactionId;
}

async function logAcceptedDelivery(
  tx: Tx,
  partner: PartnerRef,
  delivery: DeliveryInfo | undefined,
  transactionId: number | undefined,
  outcome: string,
  reason: string | null,
): Promise<number | undefined> {
  if (!delivery) return undefined;
  const row = await tx.webhookDelivery.create({
    data: {
      partnerId: partner.id,
      partnerSlug: partner.slug,
      route: delivery.route,
      httpStatus: 200,
      outcome,
      reason,
      bodySha256: delivery.bodySha256,
      webhookId: delivery.webhookId,
      transactionId,
      requestId: delivery.requestId,
    },
    select: { id: true },
  });
  return row.id;
}
