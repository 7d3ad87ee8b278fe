import type { ImportRowError } from '../ledger/import-batch.js';

/**
 * Returns a progress callback that redraws one line on stderr, only when
 * stderr is a terminal so that logs and pipes get no control characters.
 */
export function progressLine(label: string, stream: NodeJS.WriteStream = process.stderr): { update(done: number, total: number): void; end(): void } {
  if (!stream.isTTY) return { update() {}, end() {} };

  let drawn = false;
  return {
    update(done, total) {
      const width = 30;
      const share = total === 0 ? 1 : done / total;
      const filled = Math.round(share * width);
      stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} rows`);
      drawn = true;
    },
    end() {
      if (drawn) stream.write('\n');
    },
  };
}

/** Formats rows as a plain text table with a header line and aligned columns. */
export function formatTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  const line = (row: readonly string[]) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ').trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...cells.slice(1).map(line)].join('\n');
}

/** Formats row errors as a table, at most `limit` of them, with a line counting the rest. */
export function formatRowErrors(errors: readonly ImportRowError[], limit = 20): string {
  const table = formatTable(['index', 'code', 'message'], errors.slice(0, limit).map((error) => [error.index, error.code, error.message]));
  return errors.length > limit ? `${table}\n… and ${errors.length - limit} more (--json prints them all)` : table;
}
