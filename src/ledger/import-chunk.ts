import type { EventType, Partner, TransactionStatus } from '../generated/prisma/client.js';
import { DEFAULT_CURRENCY } from './currency.js';
import type { Tx } from './database.js';
import { LedgerError } from './errors.js';
import type { ImportResult } from './import-batch.js';
import { netAmount } from './money.js';
import { checkIdentity, type LedgerEvent } from './record-event.js';
import { add, applyTotalsDeltas, contribution, type DomainTotalsDelta, type TotalsDelta } from './totals.js';
import { planChange, type HistoryEntry, type LockedTransaction } from './transaction-change.js';

/** A row that passed the checks, with its partner and domain resolved. */
export interface PreparedRow {
  /** Position of the row in the caller's input. */
  index: number;
  partner: Partner;
  domainId: number;
  event: LedgerEvent & { partnerTransactionId: string; grossAmount: string };
}

interface InsertedRow {
  id: number;
  partnerId: number;
  partnerTransactionId: string;
}

interface HistoryRow extends Omit<HistoryEntry, 'oldStatus' | 'oldGrossAmount' | 'oldNetAmount'> {
  oldStatus: TransactionStatus | null;
  oldGrossAmount: string | null;
  oldNetAmount: string | null;
  actor: string;
}

/** The state of one transaction while the chunk's rows for it are applied in memory. */
interface Tracked {
  initial: LockedTransaction;
  current: LockedTransaction;
  confirms: boolean;
}

const keyOf = (partnerId: number, partnerTransactionId: string) => `${partnerId}\u0000${partnerTransactionId}`;

/**
 * Applies one chunk of checked rows inside the caller's database
 * transaction with a fixed number of statements. One locking read fetches
 * the rows whose idempotency key exists and one insert adds the rest. Then
 * one update, one history insert and one totals upsert write the result. The ledger rules run in memory in row order, so the
 * outcome equals applying the rows one by one. A row that breaks a rule is
 * reported and contributes nothing to the writes.
 */
export async function applyImportChunk(tx: Tx, rows: readonly PreparedRow[]): Promise<ImportResult> {
  const result: ImportResult = { imported: 0, updated: 0, skipped: 0, errors: [] };
  const now = new Date();

  const byKey = new Map<string, PreparedRow[]>();
  for (const row of rows) {
    const key = keyOf(row.partner.id, row.event.partnerTransactionId);
    const list = byKey.get(key);
    if (list) list.push(row);
    else byKey.set(key, [row]);
  }

  // Locking the existing rows first spares the insert a conflict per
  // existing key, which makes re-importing a report cheap. A key that
  // another writer inserts in between makes the insert skip it, and the
  // second locking read fetches it.
  const firstRows = [...byKey.values()].map((list) => list[0]!);
  const rowKey = (row: PreparedRow) => keyOf(row.partner.id, row.event.partnerTransactionId);
  const locked = await lockByIdempotencyKey(tx, firstRows);

  const newStates = new Map(firstRows.filter((row) => !locked.has(rowKey(row))).map((row) => [row, createdState(0, row)]));
  const inserted = await insertNewTransactions(tx, newStates, now);
  const insertedByKey = new Map(inserted.map((row) => [keyOf(row.partnerId, row.partnerTransactionId), row.id]));

  const raced = [...newStates.keys()].filter((row) => !insertedByKey.has(rowKey(row)));
  for (const [key, row] of await lockByIdempotencyKey(tx, raced)) locked.set(key, row);

  const tracked = new Map<string, Tracked>();
  const history: HistoryRow[] = [];
  const totals = new Map<string, DomainTotalsDelta>();
  const addTotals = (domainId: number, currency: string, delta: TotalsDelta) => {
    const key = `${domainId}:${currency}`;
    const entry = totals.get(key);
    if (entry) entry.delta = add(entry.delta, delta);
    else totals.set(key, { domainId, currency, delta });
  };
  const attributions: number[] = [];

  for (const row of rows) {
    const key = keyOf(row.partner.id, row.event.partnerTransactionId);
    const context = { actor: row.partner.slug };
    const insertedId = insertedByKey.get(key);

    if (insertedId !== undefined && !tracked.has(key)) {
      const created = { ...newStates.get(row)!, id: insertedId };
      tracked.set(key, { initial: created, current: created, confirms: false });
      history.push({
        transactionId: insertedId,
        oldStatus: null,
        newStatus: created.status,
        oldGrossAmount: null,
        newGrossAmount: created.grossAmount,
        oldNetAmount: null,
        newNetAmount: created.netAmount,
        applied: true,
        ...context,
      });
      addTotals(created.domainId, created.currency, contribution(created.eventType, created.status, created.grossAmount, created.netAmount));
      if (row.event.eventType !== 'CLICK' && row.event.clickId) attributions.push(insertedId);
      result.imported++;
      continue;
    }

    let state = tracked.get(key);
    if (!state) {
      const found = locked.get(key);
      if (!found) throw new Error(`The insert of transaction_id "${row.event.partnerTransactionId}" was skipped as a duplicate, but no row has its key.`);
      state = { initial: found, current: found, confirms: false };
      tracked.set(key, state);
    }

    try {
      checkIdentity(state.current, row.domainId, row.event);
    } catch (error) {
      if (!(error instanceof LedgerError)) throw error;
      result.errors.push({ index: row.index, code: error.code, message: error.message });
      continue;
    }

    const plan = planChange(state.current, { status: row.event.status, grossAmount: row.event.grossAmount });
    if (plan.result === 'duplicate') {
      result.skipped++;
      continue;
    }
    history.push({ ...plan.history, ...context });
    if (plan.result === 'stale') {
      result.skipped++;
      continue;
    }

    addTotals(state.current.domainId, state.current.currency, plan.totalsDelta);
    state.current = { ...state.current, status: plan.status, grossAmount: plan.grossAmount, netAmount: plan.netAmount };
    state.confirms ||= plan.confirms;
    result.updated++;
  }

  const changed = [...tracked.values()].filter(
    (state) =>
      state.current.status !== state.initial.status ||
      state.current.grossAmount !== state.initial.grossAmount ||
      state.current.netAmount !== state.initial.netAmount,
  );
  await updateTransactions(tx, changed, now);
  await attributeToClicks(tx, attributions);
  await insertHistory(tx, history, now);
  await applyTotalsDeltas(tx, [...totals.values()]);
  return result;
}

function initialStatus(event: LedgerEvent): TransactionStatus {
  return event.status ?? (event.eventType === 'CLICK' ? 'CONFIRMED' : 'PENDING');
}

function createdState(id: number, row: PreparedRow): LockedTransaction {
  const revenueShare = row.partner.revenueShare.toString();
  return {
    id,
    domainId: row.domainId,
    partnerId: row.partner.id,
    eventType: row.event.eventType,
    status: initialStatus(row.event),
    currency: row.event.currency ?? DEFAULT_CURRENCY,
    grossAmount: row.event.grossAmount,
    netAmount: netAmount(row.event.grossAmount, revenueShare),
    revenueShare,
  };
}

/**
 * Inserts the rows whose idempotency key is not taken yet, each in the state
 * given for it, and returns the inserted ones.
 * The unique constraint decides, so a concurrent import of the same key
 * inserts it once; the other waits and then finds the row taken.
 */
async function insertNewTransactions(tx: Tx, states: ReadonlyMap<PreparedRow, LockedTransaction>, now: Date): Promise<InsertedRow[]> {
  if (states.size === 0) return [];
  const records = [...states].map(([row, state], position) => ({
    position,
    domain_id: state.domainId,
    partner_id: state.partnerId,
    event_type: state.eventType,
    status: state.status,
    partner_transaction_id: row.event.partnerTransactionId,
    click_id: row.event.clickId ?? null,
    gross_amount: state.grossAmount,
    net_amount: state.netAmount,
    revenue_share: state.revenueShare,
    currency: state.currency,
    occurred_at: (row.event.occurredAt ?? now).toISOString(),
    confirmed_at: state.status === 'CONFIRMED' ? now.toISOString() : null,
  }));

  // Ordering by position gives the new rows ascending ids in input order,
  // which click attribution relies on.
  return tx.$queryRaw<InsertedRow[]>`
    INSERT INTO "transaction" (domain_id, partner_id, event_type, status, partner_transaction_id, click_id,
      gross_amount, net_amount, revenue_share, currency, occurred_at, created_at, updated_at, confirmed_at)
    SELECT r.domain_id, r.partner_id, r.event_type, r.status, r.partner_transaction_id, r.click_id,
      r.gross_amount, r.net_amount, r.revenue_share, r.currency, r.occurred_at,
      ${now.toISOString()}::timestamptz, ${now.toISOString()}::timestamptz, r.confirmed_at
    FROM json_to_recordset(${JSON.stringify(records)}::json) AS r(
      position int, domain_id int, partner_id int, event_type "EventType", status "TransactionStatus",
      partner_transaction_id text, click_id text, gross_amount numeric, net_amount numeric, revenue_share numeric,
      currency text, occurred_at timestamptz, confirmed_at timestamptz)
    ORDER BY r.position
    ON CONFLICT DO NOTHING
    RETURNING id, partner_id AS "partnerId", partner_transaction_id AS "partnerTransactionId"`;
}

/** Locks the existing transactions of these rows' keys in id order, so concurrent imports lock shared rows in the same order. */
async function lockByIdempotencyKey(tx: Tx, rows: readonly PreparedRow[]): Promise<Map<string, LockedTransaction>> {
  if (rows.length === 0) return new Map();
  const keys = rows.map((row) => ({ partner_id: row.partner.id, partner_transaction_id: row.event.partnerTransactionId }));
  const found = await tx.$queryRaw<(LockedTransaction & { partnerTransactionId: string })[]>`
    SELECT t.id, t.domain_id AS "domainId", t.partner_id AS "partnerId", t.partner_transaction_id AS "partnerTransactionId",
           t.event_type::text AS "eventType", t.status::text AS status, t.currency, t.gross_amount::text AS "grossAmount",
           t.net_amount::text AS "netAmount", t.revenue_share::text AS "revenueShare"
    FROM "transaction" t
    JOIN json_to_recordset(${JSON.stringify(keys)}::json) AS k(partner_id int, partner_transaction_id text)
      ON t.partner_id = k.partner_id AND t.partner_transaction_id = k.partner_transaction_id
    ORDER BY t.id
    FOR UPDATE OF t`;
  return new Map(
    found.map(({ partnerTransactionId, ...row }) => [keyOf(row.partnerId, partnerTransactionId), { ...row, eventType: row.eventType as EventType }]),
  );
}

async function updateTransactions(tx: Tx, changed: readonly Tracked[], now: Date): Promise<void> {
  if (changed.length === 0) return;
  const updates = changed.map(({ current, confirms }) => ({
    id: current.id,
    status: current.status,
    gross_amount: current.grossAmount,
    net_amount: current.netAmount,
    confirmed_at: confirms ? now.toISOString() : null,
  }));
  await tx.$executeRaw`
    UPDATE "transaction" AS t SET
      status = u.status,
      gross_amount = u.gross_amount,
      net_amount = u.net_amount,
      confirmed_at = COALESCE(u.confirmed_at, t.confirmed_at),
      updated_at = ${now.toISOString()}::timestamptz
    FROM json_to_recordset(${JSON.stringify(updates)}::json) AS u(
      id int, status "TransactionStatus", gross_amount numeric, net_amount numeric, confirmed_at timestamptz)
    WHERE t.id = u.id`;
}

/**
 * Attributes new leads and sales to the first click on their domain with
 * their click id. Only clicks with a lower id count, which are the ones that
 * existed before the row, also when an earlier row of this chunk added them.
 */
async function attributeToClicks(tx: Tx, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await tx.$executeRaw`
    UPDATE "transaction" AS t SET attributed_click_id = (
      SELECT c.id FROM "transaction" c
      WHERE c.domain_id = t.domain_id AND c.event_type = 'CLICK' AND c.click_id = t.click_id AND c.id < t.id
      ORDER BY c.id LIMIT 1)
    WHERE t.id IN (SELECT value::int FROM json_array_elements_text(${JSON.stringify(ids)}::json))`;
}

async function insertHistory(tx: Tx, history: readonly HistoryRow[], now: Date): Promise<void> {
  if (history.length === 0) return;
  const records = history.map((entry, position) => ({
    position,
    transaction_id: entry.transactionId,
    actor: entry.actor,
    old_status: entry.oldStatus,
    new_status: entry.newStatus,
    old_gross_amount: entry.oldGrossAmount,
    new_gross_amount: entry.newGrossAmount,
    old_net_amount: entry.oldNetAmount,
    new_net_amount: entry.newNetAmount,
    applied: entry.applied,
    note: entry.note ?? null,
  }));
  await tx.$executeRaw`
    INSERT INTO transaction_change (transaction_id, source, actor, old_status, new_status, old_gross_amount, new_gross_amount,
      old_net_amount, new_net_amount, applied, note, created_at)
    SELECT h.transaction_id, 'IMPORT', h.actor, h.old_status, h.new_status, h.old_gross_amount, h.new_gross_amount,
      h.old_net_amount, h.new_net_amount, h.applied, h.note, ${now.toISOString()}::timestamptz
    FROM json_to_recordset(${JSON.stringify(records)}::json) AS h(
      position int, transaction_id int, actor text, old_status "TransactionStatus", new_status "TransactionStatus",
      old_gross_amount numeric, new_gross_amount numeric, old_net_amount numeric, new_net_amount numeric, applied boolean, note text)
    ORDER BY h.position`;
}
