import type { EventType, TransactionStatus } from '../generated/prisma/client.js';
import { normalizeCurrency } from './currency.js';
import type { Db } from './database.js';
import { normalizeDomainName } from './domain-name.js';
import { ValidationError } from './errors.js';
import { importBatch, type ImportOptions, type ImportResult, type ImportRow } from './import-batch.js';
import { formatAmount, parseAmount } from './money.js';
import { findActivePartner } from './partners.js';

/** A transaction as stored in the ledger, for the reconciliation lists. */
export interface LedgerEntry {
  id: number;
  transactionId: string;
  domain: string;
  eventType: EventType;
  status: TransactionStatus;
  grossAmount: string;
  currency: string;
  occurredAt: Date;
}

/** A report row that differs from the ledger in one field. */
export interface ReconcileMismatch {
  /** Position of the report row in the rows passed in. */
  index: number;
  id: number;
  transactionId: string;
  field: 'status' | 'grossAmount' | 'currency' | 'domain' | 'eventType';
  ledger: string;
  report: string;
}

export interface ReconcileResult {
  /** Report rows inside the period that the ledger does not have, by their position in the rows passed in. */
  missingFromLedger: { index: number; row: ImportRow }[];
  /** Ledger transactions of the partner inside the period that the report does not list. */
  missingFromReport: LedgerEntry[];
  mismatches: ReconcileMismatch[];
  /** Report rows inside the period that equal the ledger. */
  matched: number;
  /** Report rows outside the period, left out of the comparison. */
  outsidePeriod: number;
  /** The import of the missing and differing rows, when `apply` was set. */
  applied?: ImportResult;
}

export interface ReconcileOptions {
  partner: string;
  /** Start of the period, inclusive. */
  from: Date;
  /** End of the period, exclusive. */
  to: Date;
  /** Import the missing and differing rows with the ledger rules. */
  apply?: boolean;
  onProgress?: ImportOptions['onProgress'];
}

interface LedgerRow extends LedgerEntry {
  inPeriod: boolean;
}

/**
 * Compares a partner report with the ledger for one partner and period.
 * A report row counts when its occurredAt lies in [from, to) or it has none;
 * a ledger transaction counts when its occurredAt lies there. Rows are
 * matched by the partner's transaction id wherever their times lie, so a
 * transaction the two sides date differently is a mismatch, not missing.
 * With `apply`, the missing and differing rows go through importBatch, so
 * the ledger rules decide: a backwards status is skipped as stale.
 */
export async function reconcileReport(db: Db, rows: readonly ImportRow[], options: ReconcileOptions): Promise<ReconcileResult> {
  const partner = await findActivePartner(db, options.partner);
  const foreign = rows.findIndex((row) => row.partner !== options.partner);
  if (foreign >= 0) {
    throw new ValidationError('partner', `row ${foreign} names partner "${rows[foreign]!.partner.slice(0, 64)}"; reconcile one partner's report at a time, all rows naming "${options.partner}"`);
  }
  const inPeriod = (time: Date | null | undefined) => !time || (time >= options.from && time < options.to);

  // The last row of a transaction id is the report's latest word on it.
  const reportRows = new Map<string, { index: number; row: ImportRow }>();
  let outsidePeriod = 0;
  for (const [index, row] of rows.entries()) {
    if (!inPeriod(row.occurredAt)) {
      outsidePeriod++;
      continue;
    }
    reportRows.set(row.transactionId.trim(), { index, row });
  }
  const reportIds = new Set(rows.map((row) => row.transactionId.trim()));

  const ledgerRows = await db.$queryRaw<LedgerRow[]>`
    SELECT t.id, t.partner_transaction_id AS "transactionId", d.name AS domain, t.event_type::text AS "eventType",
           t.status::text AS status, t.gross_amount::text AS "grossAmount", t.currency, t.occurred_at AS "occurredAt",
           (t.occurred_at >= ${options.from} AND t.occurred_at < ${options.to}) AS "inPeriod"
    FROM "transaction" t JOIN yield_domain d ON d.id = t.domain_id
    WHERE t.partner_id = ${partner.id} AND t.partner_transaction_id IS NOT NULL AND (
      (t.occurred_at >= ${options.from} AND t.occurred_at < ${options.to})
      OR t.partner_transaction_id IN (SELECT value FROM json_array_elements_text(${JSON.stringify([...reportRows.keys()])}::json)))
    ORDER BY t.occurred_at, t.id`;
  const ledger = new Map(ledgerRows.map((row) => [row.transactionId, row]));

  const result: ReconcileResult = { missingFromLedger: [], missingFromReport: [], mismatches: [], matched: 0, outsidePeriod };
  const toApply: { index: number; row: ImportRow }[] = [];
  for (const [transactionId, entry] of reportRows) {
    const stored = ledger.get(transactionId);
    if (!stored) {
      result.missingFromLedger.push(entry);
      toApply.push(entry);
      continue;
    }
    const differences = compare(stored, entry.row).map((difference) => ({ index: entry.index, id: stored.id, transactionId, ...difference }));
    if (differences.length === 0) {
      result.matched++;
      continue;
    }
    result.mismatches.push(...differences);
    toApply.push(entry);
  }

  for (const row of ledgerRows) {
    if (row.inPeriod && !reportIds.has(row.transactionId)) {
      const { inPeriod: _inPeriod, ...entry } = row;
      result.missingFromReport.push({ ...entry, grossAmount: formatAmount(entry.grossAmount) });
    }
  }

  if (options.apply && toApply.length > 0) {
    toApply.sort((left, right) => left.index - right.index);
    const applied = await importBatch(db, toApply.map((entry) => entry.row), { onProgress: options.onProgress });
    applied.errors = applied.errors.map((error) => ({ ...error, index: toApply[error.index]!.index }));
    result.applied = applied;
  }
  return result;
}

/** Lists the fields in which a report row differs from the stored transaction. Unreadable values count as different. */
function compare(stored: LedgerEntry, row: ImportRow): Omit<ReconcileMismatch, 'index' | 'id' | 'transactionId'>[] {
  const differences: Omit<ReconcileMismatch, 'index' | 'id' | 'transactionId'>[] = [];
  const storedGross = formatAmount(stored.grossAmount);

  // A rejection of a confirmed transaction is stored as a reversal.
  if (row.status && row.status !== stored.status && !(row.status === 'REJECTED' && stored.status === 'REVERSED')) {
    differences.push({ field: 'status', ledger: stored.status, report: row.status });
  }
  if (readAmount(row.grossAmount) !== storedGross) differences.push({ field: 'grossAmount', ledger: storedGross, report: row.grossAmount });
  if (row.currency && (normalizeCurrency(row.currency) ?? row.currency) !== stored.currency) {
    differences.push({ field: 'currency', ledger: stored.currency, report: row.currency });
  }
  if ((normalizeDomainName(row.domain) ?? row.domain) !== stored.domain) differences.push({ field: 'domain', ledger: stored.domain, report: row.domain });
  if (row.eventType !== stored.eventType) differences.push({ field: 'eventType', ledger: stored.eventType, report: row.eventType });
  return differences;
}

function readAmount(text: string): string | undefined {
  try {
    return parseAmount(text);
  } catch {
    return undefined;
  }
}
