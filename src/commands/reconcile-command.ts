import type { Db } from '../ledger/database.js';
import { reconcileReport } from '../ledger/reconcile.js';
import { toRecordPositions, type ParsedReport } from '../reports/parsed-report.js';
import { parseReportTime } from '../reports/report-time.js';
import { loadReportFile, UsageError, type ReportFileOptions } from './report-file.js';
import { formatRowErrors, formatTable, progressLine } from './terminal-output.js';

export interface ReconcileCommandOptions extends ReportFileOptions {
  from: string | undefined;
  to: string | undefined;
  apply: boolean;
  json: boolean;
}

const LIST_LIMIT = 20;

/**
 * Reads and checks a partner report file and the period, then returns the
 * step that compares the report with the ledger and prints the differences.
 * With --apply that step also imports the missing and differing rows. It
 * returns the exit status: 1 when a row could not be read or applied, else 0.
 */
export async function prepareReconcileCommand(options: ReconcileCommandOptions, out: NodeJS.WritableStream = process.stdout): Promise<(db: Db) => Promise<number>> {
  const { partner, timeZone, report } = await loadReportFile(options);
  const from = periodBound('--from', options.from, timeZone);
  const to = periodBound('--to', options.to, timeZone);
  if (from >= to) throw new UsageError('--from must be before --to.');
  return (db) => runReconcile(db, { partner, timeZone, report, from, to }, options, out);
}

interface Reconciliation {
  partner: string;
  timeZone: string;
  report: ParsedReport;
  from: Date;
  to: Date;
}

async function runReconcile(db: Db, { partner, timeZone, report, from, to }: Reconciliation, options: ReconcileCommandOptions, out: NodeJS.WritableStream): Promise<number> {
  const progress = progressLine('applying');
  const result = await reconcileReport(db, report.rows, { partner, from, to, apply: options.apply, onProgress: progress.update });
  progress.end();

  // Indexes from here on are record positions in the file.
  const position = (index: number) => report.positions[index]!;
  const missingFromLedger = result.missingFromLedger.map(({ index, row }) => ({ index: position(index), ...row }));
  const mismatches = result.mismatches.map((mismatch) => ({ ...mismatch, index: position(mismatch.index) }));
  const errors = [...report.errors, ...toRecordPositions(report, result.applied?.errors ?? [])].sort((left, right) => left.index - right.index);

  if (options.json) {
    const applied = result.applied && { ...result.applied, errors: toRecordPositions(report, result.applied.errors) };
    out.write(`${JSON.stringify({ partner, from, to, timeZone, ...result, missingFromLedger, mismatches, applied, unreadable: report.errors }, null, 2)}\n`);
    return errors.length > 0 ? 1 : 0;
  }

  out.write(`Reconciliation of ${options.file} for partner ${partner}, ${options.from} to ${options.to} (${timeZone}, end exclusive)\n\n`);
  out.write(
    `${formatTable(
      ['matched', 'missing from ledger', 'missing from report', 'mismatched fields', 'outside period', 'unreadable'],
      [[result.matched, missingFromLedger.length, result.missingFromReport.length, mismatches.length, result.outsidePeriod, report.errors.length]],
    )}\n`,
  );
  if (missingFromLedger.length > 0) {
    out.write(`\nMissing from the ledger:\n${limited(['index', 'transactionId', 'domain', 'status', 'grossAmount', 'currency'], missingFromLedger.map((row) => [row.index, row.transactionId, row.domain, row.status ?? '', row.grossAmount, row.currency ?? '']))}\n`);
  }
  if (result.missingFromReport.length > 0) {
    out.write(`\nMissing from the report:\n${limited(['id', 'transactionId', 'domain', 'status', 'grossAmount', 'currency'], result.missingFromReport.map((row) => [row.id, row.transactionId, row.domain, row.status, row.grossAmount, row.currency]))}\n`);
  }
  if (mismatches.length > 0) {
    out.write(`\nMismatches:\n${limited(['index', 'transactionId', 'field', 'ledger', 'report'], mismatches.map((row) => [row.index, row.transactionId, row.field, row.ledger, row.report]))}\n`);
  }
  if (result.applied) {
    const applied = result.applied;
    out.write(`\nApplied the report's values:\n${formatTable(['imported', 'updated', 'skipped'], [[applied.imported, applied.updated, applied.skipped]])}\n`);
  } else if (missingFromLedger.length + mismatches.length > 0) {
    out.write('\nNothing was written; run again with --apply to import the missing and differing rows under the ledger rules.\n');
  }
  if (errors.length > 0) out.write(`\nFailed rows (index = zero-based record in the file, header excluded):\n${formatRowErrors(errors)}\n`);
  return errors.length > 0 ? 1 : 0;
}

function periodBound(option: string, text: string | undefined, timeZone: string): Date {
  if (!text) throw new UsageError(`${option} is required: a date or time such as 2026-11-01 in the report's time zone.`);
  const time = parseReportTime(text, timeZone);
  if (!time) throw new UsageError(`${option} "${text}" is not an ISO 8601 date or time such as 2026-11-01 or 2026-11-01T00:00:00Z.`);
  return time;
}

function limited(header: string[], rows: (string | number)[][]): string {
  const table = formatTable(header, rows.slice(0, LIST_LIMIT));
  return rows.length > LIST_LIMIT ? `${table}\n… and ${rows.length - LIST_LIMIT} more (--json prints them all)` : table;
}
