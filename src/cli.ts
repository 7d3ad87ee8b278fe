import { parseArgs } from 'node:util';

import type { Logger } from 'pino';

import { prepareImportCommand } from './commands/import-command.js';
import { prepareReconcileCommand } from './commands/reconcile-command.js';
import { UsageError } from './commands/report-file.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import type { Database } from './db/client.js';
import { DataDirLockedError } from './db/data-dir-lock.js';
import { LedgerError } from './ledger/errors.js';
import { ReportFileError } from './reports/parsed-report.js';
import { isClusterPrimary, runPrimary } from './cluster.js';
import { createLogger } from './logger.js';
import { openMigratedDatabase, startServer } from './main.js';

const USAGE = `Usage: yield-ledger <command> [options]

Commands:
  serve       apply pending migrations, then serve HTTP (default)
              --workers N   run N server processes on one port (needs DATABASE_URL;
                            default: the WORKERS variable, else 1)
  migrate     apply pending migrations and exit
  import <file> --partner <slug> [--format csv|awin-json] [--timezone <zone>] [--dry-run] [--json]
              apply a partner report with the ledger rules, as the importBatch mutation does
  reconcile <file> --partner <slug> --from <date> --to <date> [--format csv|awin-json] [--timezone <zone>] [--apply] [--json]
              list report rows missing from the ledger, ledger rows missing from the report
              and status or amount mismatches; --apply imports the report's values

Options:
  --format    csv (header row with the importBatch row fields) or awin-json (Awin
              transactions report); default from the file name (.csv or .json)
  --timezone  IANA time zone of report times without an offset, and of --from/--to; default UTC
  --from/--to the period, start inclusive and end exclusive, as dates or times
  --dry-run   check and count without writing
  --json      print the full result as JSON

import and reconcile exit with status 1 when any row failed.
Configuration comes from environment variables; see the README.`;

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  partner: { type: 'string' },
  format: { type: 'string' },
  timezone: { type: 'string', default: 'UTC' },
  'dry-run': { type: 'boolean', default: false },
  from: { type: 'string' },
  to: { type: 'string' },
  apply: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  workers: { type: 'string' },
} as const;

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: OPTIONS });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const { positionals, values } = parsed;
  const command = positionals[0] ?? 'serve';
  if (values.help) {
    console.log(USAGE);
    return;
  }

  const config = loadConfig(process.env);

  if (command === 'import' || command === 'reconcile') {
    const report = { file: positionals[1], partner: values.partner, format: values.format, timeZone: values.timezone };
    let run: (db: Database['prisma']) => Promise<number>;
    try {
      run =
        command === 'import'
          ? await prepareImportCommand({ ...report, dryRun: values['dry-run'], json: values.json })
          : await prepareReconcileCommand({ ...report, from: values.from, to: values.to, apply: values.apply, json: values.json });
    } catch (error) {
      process.exitCode = reportCommandError(error);
      return;
    }
    // Logs go to stderr so that stdout carries only the summary.
    process.exitCode = await withDatabase(config, createLogger(config, process.stderr), command, run);
    return;
  }

  const logger = createLogger(config);
  if (command === 'migrate') {
    const database = await openMigratedDatabase(config, logger);
    await database.close();
    logger.info('database is up to date');
    return;
  }
  if (command !== 'serve') {
    console.error(`Unknown command "${command}".\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }

  const workers = values.workers === undefined ? config.workers : Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
    console.error(`--workers must be a whole number from 1 to 64, got "${values.workers}".`);
    process.exitCode = 2;
    return;
  }
  if (workers > 1 && isClusterPrimary()) {
    await runPrimary(config, logger, workers);
    return;
  }

  const server = await startServer(config, logger);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second stop signal; exiting without waiting for open requests');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/** Opens the database itself for a report command, runs it and closes the database. Returns the exit status. */
async function withDatabase(config: Config, logger: Logger, command: string, run: (db: Database['prisma']) => Promise<number>): Promise<number> {
  let database: Database;
  try {
    database = await openMigratedDatabase(config, logger);
  } catch (error) {
    if (!(error instanceof DataDirLockedError)) throw error;
    console.error(
      `${command} cannot open the embedded database: ${error.message}\n` +
        'A running yield-ledger server holds that folder. Stop the server first, or send the rows to its importBatch mutation instead.',
    );
    return 1;
  }

  try {
    return await run(database.prisma);
  } catch (error) {
    return reportCommandError(error);
  } finally {
    await database.close();
  }
}

/** Prints an expected failure of a report command and returns its exit status; anything else is thrown on. */
function reportCommandError(error: unknown): number {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (error instanceof ReportFileError || error instanceof LedgerError) {
    console.error(error.message);
    return 1;
  }
  if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'EISDIR') {
    console.error(`Cannot read the report file: ${(error as Error).message}`);
    return 1;
  }
  throw error;
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
