import { parseArgs } from 'node:util';

import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { isClusterPrimary, runPrimary } from './cluster.js';
import { openMigratedDatabase, startServer } from './main.js';

const USAGE = `Usage: yield-ledger <command>

Commands:
  serve     apply pending migrations, then serve HTTP (default)
            --workers N   run N server processes on one port (needs DATABASE_URL;
                          default: the WORKERS variable, else 1)
  migrate   apply pending migrations and exit

Configuration comes from environment variables; see the README.`;

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h' }, workers: { type: 'string' } },
  });
  const command = positionals[0] ?? 'serve';
  if (values.help) {
    console.log(USAGE);
    return;
  }

  const config = loadConfig(process.env);
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

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
