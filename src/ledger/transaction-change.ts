import { Prisma, type ChangeSource, type EventType, type TransactionStatus } from '../generated/prisma/client.js';
import type { Tx } from './database.js';
import { netAmount } from './money.js';
import { canMove, effectiveStatus, isFinal } from './status.js';
import { applyTotalsDelta, contribution, subtract, type TotalsDelta } from './totals.js';

/** The columns of a transaction that its changes read, with amounts as text. */
export interface LockedTransaction {
  id: number;
  domainId: number;
  partnerId: number;
  eventType: EventType;
  status: TransactionStatus;
  currency: string;
  grossAmount: string;
  netAmount: string;
  revenueShare: string;
}

export interface ChangeContext {
  source: ChangeSource;
  /** The partner slug for postbacks and imports, "admin" for the admin key. */
  actor: string;
}

export interface RequestedChange {
  status?: TransactionStatus;
  grossAmount?: string;
  /** Why the change was made, such as an operator's reason; kept in the history. */
  note?: string;
}

export type ChangeResult = 'updated' | 'duplicate' | 'stale';

/**
 * Writes the delivery log entry once the outcome is known and returns its
 * id, so the history entry can point at the delivery it came with.
 */
export type DeliveryLogger = (outcome: ChangeOutcome) => Promise<number | undefined>;

export interface ChangeOutcome {
  result: ChangeResult;
  message: string;
}

const LOCKED_COLUMNS = Prisma.sql`id, domain_id AS "domainId", partner_id AS "partnerId", event_type::text AS "eventType",
  status::text AS status, currency, gross_amount::text AS "grossAmount",
  net_amount::text AS "netAmount", revenue_share::text AS "revenueShare"`;

/**
 * Locks one transaction row for the rest of the database transaction and
 * returns it, or undefined when no row has this id.
 */
export async function lockTransaction(tx: Tx, id: number): Promise<LockedTransaction | undefined> {
  const rows = await tx.$queryRaw<LockedTransaction[]>`SELECT ${LOCKED_COLUMNS} FROM "transaction" WHERE id = ${id} FOR UPDATE`;
  return rows[0];
}

/**
 * Locks the transaction with a partner's idempotency key: its transaction
 * id, or for a click without one its click id.
 */
export async function lockTransactionByKey(
  tx: Tx,
  partnerId: number,
  key: { partnerTransactionId: string } | { clickDedupeKey: string },
): Promise<LockedTransaction | undefined> {
  const condition =
    'partnerTransactionId' in key
      ? Prisma.sql`partner_transaction_id = ${key.partnerTransactionId}`
      : Prisma.sql`click_dedupe_key = ${key.clickDedupeKey}`;
  const rows = await tx.$queryRaw<LockedTransaction[]>`
    SELECT ${LOCKED_COLUMNS} FROM "transaction" WHERE partner_id = ${partnerId} AND ${condition} FOR UPDATE`;
  return rows[0];
}

/** One history row: the old and new values of a change, or of an ignored update. */
export interface HistoryEntry {
  transactionId: number;
  oldStatus: TransactionStatus;
  newStatus: TransactionStatus;
  oldGrossAmount: string;
  newGrossAmount: string;
  oldNetAmount: string;
  newNetAmount: string;
  applied: boolean;
  note?: string;
}

/** The effect of a change on a transaction, decided without touching the database. */
export type ChangePlan =
  | { result: 'duplicate'; message: string }
  | { result: 'stale'; message: string; history: HistoryEntry }
  | {
      result: 'updated';
      message: string;
      history: HistoryEntry;
      status: TransactionStatus;
      grossAmount: string;
      netAmount: string;
      /** True when the status moves to confirmed, so confirmedAt becomes the change time. */
      confirms: boolean;
      totalsDelta: TotalsDelta;
    };

/**
 * Decides a status update or amendment under the ledger rules:
 * forward-only status, amendments only while pending or confirmed, totals
 * moved by the difference. A stale request changes nothing but is kept in
 * the history. Batch imports plan many changes with it before writing them.
 */
export function planChange(current: LockedTransaction, requested: RequestedChange): ChangePlan {
  const targetStatus = requested.status ? effectiveStatus(current.status, requested.status) : current.status;
  const statusMoves = targetStatus !== current.status;
  const amountDiffers = requested.grossAmount !== undefined && requested.grossAmount !== current.grossAmount;

  if (statusMoves && !canMove(current.status, targetStatus)) {
    const reason = `status ${current.status} cannot change to ${targetStatus}`;
    return { result: 'stale', message: `Stale update ignored: ${reason}.`, history: ignoredChange(current, requested, reason) };
  }
  if (amountDiffers && isFinal(current.status)) {
    const reason = `a ${current.status} transaction takes no amendments`;
    return { result: 'stale', message: `Stale update ignored: ${reason}.`, history: ignoredChange(current, requested, reason) };
  }
  if (!statusMoves && !amountDiffers) {
    return { result: 'duplicate', message: 'Duplicate: the transaction already has this content; nothing changed.' };
  }

  // Moving into a final status keeps the amount that was counted, so the
  // reversal takes back exactly what the totals hold.
  const amend = amountDiffers && !isFinal(targetStatus);
  const gross = amend ? requested.grossAmount! : current.grossAmount;
  const net = amend ? netAmount(gross, current.revenueShare) : current.netAmount;

  const before = contribution(current.eventType, current.status, current.grossAmount, current.netAmount, false);
  const after = contribution(current.eventType, targetStatus, gross, net, false);

  const parts = [];
  if (statusMoves) parts.push(`status ${current.status} → ${targetStatus}`);
  if (amend) parts.push(`gross ${current.grossAmount} → ${gross}`);
  return {
    result: 'updated',
    message: `Transaction updated: ${parts.join(', ')}.`,
    history: {
      transactionId: current.id,
      oldStatus: current.status,
      newStatus: targetStatus,
      oldGrossAmount: current.grossAmount,
      newGrossAmount: gross,
      oldNetAmount: current.netAmount,
      newNetAmount: net,
      applied: true,
      note: requested.note,
    },
    status: targetStatus,
    grossAmount: gross,
    netAmount: net,
    confirms: statusMoves && targetStatus === 'CONFIRMED',
    totalsDelta: subtract(after, before),
  };
}

/** Applies planChange's decision to a locked transaction: the row, its totals and its history. */
export async function changeTransaction(
  tx: Tx,
  current: LockedTransaction,
  requested: RequestedChange,
  context: ChangeContext,
  logDelivery?: DeliveryLogger,
): Promise<ChangeOutcome> {
  const plan = planChange(current, requested);
  const outcome: ChangeOutcome = { result: plan.result, message: plan.message };
  const deliveryId = await logDelivery?.(outcome);
  if (plan.result === 'duplicate') return outcome;
  if (plan.result === 'stale') {
    await tx.transactionChange.create({ data: { ...plan.history, source: context.source, actor: context.actor, deliveryId } });
    return outcome;
  }

  await applyTotalsDelta(tx, current.domainId, current.currency, plan.totalsDelta);

  const now = new Date();
  await tx.transaction.update({
    where: { id: current.id },
    data: {
      status: plan.status,
      grossAmount: plan.grossAmount,
      netAmount: plan.netAmount,
      ...(plan.confirms ? { confirmedAt: now } : {}),
    },
  });
  await tx.transactionChange.create({
    data: { ...plan.history, source: context.source, actor: context.actor, deliveryId, createdAt: now },
  });
  return outcome;
}

function ignoredChange(current: LockedTransaction, requested: RequestedChange, reason: string): HistoryEntry {
  const requestedGross = requested.grossAmount ?? current.grossAmount;
  return {
    transactionId: current.id,
    oldStatus: current.status,
    newStatus: requested.status ?? current.status,
    oldGrossAmount: current.grossAmount,
    newGrossAmount: requestedGross,
    oldNetAmount: current.netAmount,
    newNetAmount: netAmount(requestedGross, current.revenueShare),
    applied: false,
    note: [`ignored: ${reason}`, requested.note].filter(Boolean).join('; ').slice(0, 500),
  };
}
