import type { EventType, Partner, TransactionStatus } from '../generated/prisma/client.js';
import { normalizeCurrency } from './currency.js';
import { TRANSACTION_OPTIONS, type Db, type Tx } from './database.js';
import { LedgerError, ValidationError } from './errors.js';
import { normalizeDomainName } from './domain-name.js';
import { applyImportChunk, type PreparedRow } from './import-chunk.js';
import { AmountFormatError, parseAmount } from './money.js';
import { PARTNER_SLUG } from './partners.js';
import { activeDomainId, type LedgerEvent } from './record-event.js';
import { isStorableText, STORABLE_TEXT_HINT } from './storable-text.js';

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

export interface ImportOptions {
  dryRun?: boolean;
  /** Rows per database transaction. */
  chunkSize?: number;
  /** Called after each chunk with the number of input rows handled so far. */
  onProgress?: (done: number, total: number) => void;
}

// Large enough that the per-statement overhead vanishes, small enough that a
// chunk's locks and JSON parameters stay modest.
const DEFAULT_CHUNK_SIZE = 1000;
const DRY_RUN_TIMEOUT_MS = 30 * 60_000;

class DryRunRollback extends Error {}

/**
 * Applies report rows with the ledger rules. Every row is checked first, and
 * a row that fails a check is reported and never written. The valid rows are
 * applied in chunks, each chunk in one database transaction with a few
 * set-based statements. Rows count exactly as if they had been applied one
 * after another, so a repeat inside the batch is skipped or updates the row
 * the earlier one created. A dry run applies every chunk in one database
 * transaction and rolls it back.
 *
 * NOTE: a database failure in the middle of a real import keeps the chunks
 * committed before it, each one whole. Running the import again is safe
 * because it is idempotent.
 */
export async function importBatch(db: Db, rows: readonly ImportRow[], options: ImportOptions = {}): Promise<ImportResult> {
  const result: ImportResult = { imported: 0, updated: 0, skipped: 0, errors: [] };
  const prepared = await prepareRows(db, rows, result.errors);
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const chunks: PreparedRow[][] = [];
  for (let start = 0; start < prepared.length; start += chunkSize) chunks.push(prepared.slice(start, start + chunkSize));

  const report = (chunk: PreparedRow[] | undefined) => options.onProgress?.(chunk ? chunk.at(-1)!.index + 1 : rows.length, rows.length);
  const applyAll = async (runChunk: (chunk: PreparedRow[]) => Promise<ImportResult>) => {
    for (const chunk of chunks) {
      const outcome = await runChunk(chunk);
      result.imported += outcome.imported;
      result.updated += outcome.updated;
      result.skipped += outcome.skipped;
      result.errors.push(...outcome.errors);
      report(chunk);
    }
  };

  if (options.dryRun) {
    try {
      await db.$transaction(
        async (tx) => {
          await applyAll((chunk) => applyImportChunk(tx, chunk));
          throw new DryRunRollback();
        },
        { ...TRANSACTION_OPTIONS, timeout: DRY_RUN_TIMEOUT_MS },
      );
    } catch (error) {
      if (!(error instanceof DryRunRollback)) throw error;
    }
  } else {
    await applyAll((chunk) => db.$transaction((tx) => applyImportChunk(tx, chunk), TRANSACTION_OPTIONS));
  }

  report(undefined);
  result.errors.sort((left, right) => left.index - right.index);
  return result;
}

/**
 * Checks every row and resolves its partner and domain with one query each.
 * Rows that fail are added to `errors`; the rest come back in input order.
 */
async function prepareRows(db: Db | Tx, rows: readonly ImportRow[], errors: ImportRowError[]): Promise<PreparedRow[]> {
  const slugs = [...new Set(rows.map((row) => row.partner).filter((slug) => PARTNER_SLUG.test(slug)))];
  const partners = new Map((await db.partner.findMany({ where: { slug: { in: slugs } } })).map((partner) => [partner.slug, partner]));

  const names = new Set<string>();
  for (const row of rows) {
    const name = normalizeDomainName(row.domain);
    if (name) names.add(name);
  }
  const domains = new Map(
    (await db.yieldDomain.findMany({ where: { name: { in: [...names] } }, select: { id: true, name: true, status: true } })).map((domain) => [domain.name, domain]),
  );

  const prepared: PreparedRow[] = [];
  for (const [index, row] of rows.entries()) {
    try {
      // The checks run in the order the single-row path runs them, so a row
      // with several faults reports the same first one.
      const partner = activePartner(row.partner, partners);
      const event = toEvent(row);
      const name = 'name' in event.domain ? event.domain.name : '';
      const domainId = activeDomainId(event.domain, domains.get(name));
      prepared.push({ index, partner, domainId, event: event as PreparedRow['event'] });
    } catch (error) {
      if (!(error instanceof LedgerError)) throw error;
      errors.push({ index, code: error.code, message: error.message });
    }
  }
  return prepared;
}

function activePartner(slug: string, partners: ReadonlyMap<string, Partner>): Partner {
  const partner = partners.get(slug);
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
  // Text PostgreSQL cannot store would make the chunk's statements fail as a whole.
  for (const [field, value] of [['transactionId', transactionId], ['clickId', row.clickId ?? '']] as const) {
    if (!isStorableText(value)) throw new ValidationError(field, `${field} ${STORABLE_TEXT_HINT}`);
  }

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
