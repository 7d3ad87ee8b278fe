import { parseArgs } from 'node:util';

import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { openMigratedDatabase, startServer } from './main.js';

const USAGE = `Usage: yield-ledger <command>

Commands:
  serve     apply pending migrations, then serve HTTP (default)
  migrate   apply pending migrations and exit

Configuration comes from environment variables; see the README.`;

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
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
