import type { EventType, Partner, TransactionStatus } from '../generated/prisma/client.js';
import { normalizeCurrency } from './currency.js';
import { TRANSACTION_OPTIONS, type Db, type Tx } from './database.js';
import { LedgerError, ValidationError } from './errors.js';
import { normalizeDomainName } from './domain-name.js';
import { AmountFormatError, parseAmount } from './money.js';
import { PARTNER_SLUG } from './partners.js';
import { isStorableText, STORABLE_TEXT_HINT } from './storable-text.js';
import { recordEventInTransaction, resolveActiveDomain, type LedgerEvent } from './record-event.js';

/** One row of a partner report, as importBatch and the batch-import route take it. */
export interface ImportRow {
  domain: string;
  eventType: EventType;
  partner: string;
  transactionId: string;
  clickId?: string | null;
  grossAmount: string;
  currency?: string | null;
  status?: TransactionStatus | null;
  occurredAt?: Date | null;
}

export interface ImportRowError {
  index: number;
  code: string;
  message: string;
}

export interface ImportResult {
  imported: number;
  updated: number;
  skipped: number;
  errors: ImportRowError[];
}

class DryRunRollback extends Error {}

/**
 * Applies report rows with the ledger rules, each row in its own database
 * transaction so a failing row writes nothing. A dry run applies them all in
 * one transaction that is rolled back, so repeats inside the batch count
 * exactly as they would for real.
 */
export async function importBatch(db: Db, rows: readonly ImportRow[], options: { dryRun?: boolean } = {}): Promise<ImportResult> {
  const result: ImportResult = { imported: 0, updated: 0, skipped: 0, errors: [] };
  const partners = new Map<string, Partner | null>();

  const apply = async (tx: Tx, row: ImportRow, index: number) => {
    const partner = await findPartner(tx, row.partner, partners);
    const event = toEvent(row);
    const domainId = await resolveActiveDomain(tx, event.domain);
    const outcome = await recordEventInTransaction(tx, partner, domainId, event, { source: 'IMPORT', actor: partner.slug });

    if (outcome.result === 'created') result.imported++;
    else if (outcome.result === 'updated') result.updated++;
    else result.skipped++;
  };
  const recordError = (error: unknown, index: number) => {
    if (!(error instanceof LedgerError)) throw error;
    result.errors.push({ index, code: error.code, message: error.message });
  };

  if (options.dryRun) {
    try {
      await db.$transaction(async (tx) => {
        for (const [index, row] of rows.entries()) {
          // A savepoint per row undoes a failing row inside the one transaction.
          await tx.$executeRawUnsafe('SAVEPOINT import_row');
          try {
            await apply(tx, row, index);
          } catch (error) {
            await tx.$executeRawUnsafe('ROLLBACK TO SAVEPOINT import_row');
            recordError(error, index);
          }
        }
        throw new DryRunRollback();
      }, { ...TRANSACTION_OPTIONS, timeout: 30 * 60_000 });
    } catch (error) {
      if (!(error instanceof DryRunRollback)) throw error;
    }
    return result;
  }

  // TODO: batch the SQL of many rows per round trip; one database transaction
  // per row takes several round trips each, too slow for 100,000-row reports.
  for (const [index, row] of rows.entries()) {
    try {
      await db.$transaction((tx) => apply(tx, row, index), TRANSACTION_OPTIONS);
    } catch (error) {
      recordError(error, index);
    }
  }
  return result;
}

async function findPartner(tx: Tx, slug: string, cache: Map<string, Partner | null>): Promise<Partner> {
  if (!cache.has(slug)) {
    cache.set(slug, PARTNER_SLUG.test(slug) ? await tx.partner.findUnique({ where: { slug } }) : null);
  }
  const partner = cache.get(slug);
  if (!partner) throw new ValidationError('partner', `partner "${slug.slice(0, 64)}" is not known; create it with upsertPartner first`);
  if (!partner.active) throw new ValidationError('partner', `partner "${slug}" is inactive`);
  return partner;
}

function toEvent(row: ImportRow): LedgerEvent {
  const domain = normalizeDomainName(row.domain);
  if (!domain) throw new ValidationError('domain', `domain "${row.domain.slice(0, 100)}" is not a valid host name`);

  const transactionId = row.transactionId.trim();
  if (transactionId === '' || transactionId.length > 128) {
    throw new ValidationError('transactionId', 'transactionId must be 1 to 128 characters long');
  }
  if (row.clickId && row.clickId.length > 64) throw new ValidationError('clickId', 'clickId must be at most 64 characters long');
  if (!isStorableText(transactionId)) throw new ValidationError('transactionId', `transactionId ${STORABLE_TEXT_HINT}`);
  if (row.clickId && !isStorableText(row.clickId)) throw new ValidationError('clickId', `clickId ${STORABLE_TEXT_HINT}`);

  let grossAmount: string;
  try {
    grossAmount = parseAmount(row.grossAmount);
  } catch (error) {
    if (error instanceof AmountFormatError) throw new ValidationError('grossAmount', `grossAmount ${error.message}`);
    throw error;
  }

  let currency: string | undefined;
  if (row.currency) {
    currency = normalizeCurrency(row.currency);
    if (!currency) throw new ValidationError('currency', `currency "${row.currency.slice(0, 16)}" is not an ISO 4217 code such as CHF, EUR or USD`);
  }

  return {
    eventType: row.eventType,
    domain: { name: domain },
    partnerTransactionId: transactionId,
    clickId: row.clickId ?? undefined,
    grossAmount,
    currency,
    status: row.status ?? undefined,
    occurredAt: row.occurredAt ?? undefined,
  };
}
