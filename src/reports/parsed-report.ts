import type { ImportRow, ImportRowError } from '../ledger/import-batch.js';

/** A partner report read into import rows. Indexes are zero-based record positions in the file. */
export interface ParsedReport {
  rows: ImportRow[];
  /** The record position of each entry of `rows`. */
  positions: number[];
  /** Records that could not be read into a row; they are never imported. */
  errors: ImportRowError[];
}

export type ReportFormat = 'csv' | 'awin-json';
export const REPORT_FORMATS: readonly ReportFormat[] = ['csv', 'awin-json'];

/** Options every report reader takes. */
export interface ReportOptions {
  /** The partner slug every row is imported for. */
  partner: string;
  /** IANA time zone of the report's times that carry no offset. */
  timeZone: string;
}

/** A report file that cannot be read at all, such as a CSV header without a required column. */
export class ReportFileError extends Error {}

/** Maps row errors of an import of `report.rows` back to record positions in the file. */
export function toRecordPositions(report: ParsedReport, errors: readonly ImportRowError[]): ImportRowError[] {
  return errors.map((error) => ({ ...error, index: report.positions[error.index]! }));
}
