import { readFile } from 'node:fs/promises';

import { REPORT_FORMATS, type ParsedReport, type ReportFormat } from '../reports/parsed-report.js';
import { formatForFile, readReport } from '../reports/read-report.js';
import { checkTimeZone } from '../reports/report-time.js';

/** A mistake in the command line; the CLI prints it with the usage and exits with status 2. */
export class UsageError extends Error {}

export interface ReportFileOptions {
  file: string | undefined;
  partner: string | undefined;
  format: string | undefined;
  timeZone: string;
}

/** Checks the options, reads the report file and parses it into import rows. */
export async function loadReportFile(options: ReportFileOptions): Promise<{ partner: string; timeZone: string; report: ParsedReport }> {
  if (!options.file) throw new UsageError('Name the report file: yield-ledger import <file> --partner <slug>.');
  if (!options.partner) throw new UsageError('--partner is required: the slug of the partner whose report this is.');

  const format = (options.format ?? formatForFile(options.file)) as ReportFormat | undefined;
  if (!format) throw new UsageError(`Cannot tell the format of "${options.file}" from its name; pass --format ${REPORT_FORMATS.join(' or ')}.`);
  if (!REPORT_FORMATS.includes(format)) throw new UsageError(`--format "${format}" is unknown; use ${REPORT_FORMATS.join(' or ')}.`);
  try {
    checkTimeZone(options.timeZone);
  } catch (error) {
    throw new UsageError(`--timezone: ${(error as Error).message}.`);
  }

  const text = await readFile(options.file, 'utf8');
  return { partner: options.partner, timeZone: options.timeZone, report: readReport(text, format, { partner: options.partner, timeZone: options.timeZone }) };
}
