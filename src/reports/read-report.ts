import { readAwinReport } from './awin-report.js';
import { readCsvReport } from './csv-report.js';
import type { ParsedReport, ReportFormat, ReportOptions } from './parsed-report.js';

/** Reads a partner report in the given format into import rows. */
export function readReport(text: string, format: ReportFormat, options: ReportOptions): ParsedReport {
  return format === 'csv' ? readCsvReport(text, options) : readAwinReport(text, options);
}

/** Guesses the format from the file name: .csv is CSV, .json an Awin transactions report. */
export function formatForFile(fileName: string): ReportFormat | undefined {
  if (/\.csv$/i.test(fileName)) return 'csv';
  if (/\.json$/i.test(fileName)) return 'awin-json';
  return undefined;
}
