import type { Db } from '../ledger/database.js';
import { importBatch } from '../ledger/import-batch.js';
import { toRecordPositions, type ParsedReport } from '../reports/parsed-report.js';
import { loadReportFile, type ReportFileOptions } from './report-file.js';
import { formatRowErrors, formatTable, progressLine } from './terminal-output.js';

export interface ImportCommandOptions extends ReportFileOptions {
  dryRun: boolean;
  json: boolean;
}

/**
 * Reads and checks a partner report file, then returns the step that
 * imports it through importBatch, the code path of the GraphQL mutation,
 * and prints a summary. That step returns the exit status: 1 when any row
 * failed, else 0. Reading first lets file and option errors show before
 * the database is opened.
 */
export async function prepareImportCommand(options: ImportCommandOptions, out: NodeJS.WritableStream = process.stdout): Promise<(db: Db) => Promise<number>> {
  const { report } = await loadReportFile(options);
  return (db) => runImport(db, report, options, out);
}

async function runImport(db: Db, report: ParsedReport, options: ImportCommandOptions, out: NodeJS.WritableStream): Promise<number> {
  const progress = progressLine(options.dryRun ? 'checking' : 'importing');
  const result = await importBatch(db, report.rows, { dryRun: options.dryRun, onProgress: progress.update });
  progress.end();

  const errors = [...report.errors, ...toRecordPositions(report, result.errors)].sort((left, right) => left.index - right.index);
  const summary = { file: options.file, dryRun: options.dryRun, rows: report.rows.length + report.errors.length, imported: result.imported, updated: result.updated, skipped: result.skipped, failed: errors.length, errors };

  if (options.json) {
    out.write(`${JSON.stringify(summary, null, 2)}\n`);
  } else {
    const title = options.dryRun ? 'Dry run: nothing was written. These are the counts a real import would have.' : `Imported ${options.file}.`;
    const table = formatTable(['rows', 'imported', 'updated', 'skipped', 'failed'], [[summary.rows, summary.imported, summary.updated, summary.skipped, summary.failed]]);
    out.write(`${title}\n\n${table}\n`);
    if (errors.length > 0) out.write(`\nFailed rows (index = zero-based record in the file, header excluded):\n${formatRowErrors(errors)}\n`);
  }
  return errors.length > 0 ? 1 : 0;
}
