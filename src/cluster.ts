import cluster from 'node:cluster';

import type { Logger } from 'pino';

import type { Config } from './config.js';
import { openMigratedDatabase } from './main.js';

/**
 * Runs the server in `workers` processes that share one port through
 * node:cluster. The primary applies migrations once, restarts a worker that
 * dies, and passes SIGTERM and SIGINT on so each worker shuts down cleanly.
 * Only a PostgreSQL server can be shared, so the embedded database refuses.
 */
export async function runPrimary(config: Config, logger: Logger, workers: number): Promise<void> {
  if (!config.databaseUrl) {
    throw new Error(
      `--workers ${workers} needs DATABASE_URL: the embedded database in ${config.dataDir} can be opened by one process only.`,
    );
  }
  const database = await openMigratedDatabase(config, logger);
  await database.close();

  let stopping = false;
  const fork = () => cluster.fork().on('online', () => logger.debug('worker online'));
  for (let index = 0; index < workers; index++) fork();

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        logger.info('all workers stopped');
        process.exit(0);
      }
      return;
    }
    logger.error({ pid: worker.process.pid, code, signal }, 'worker exited; starting a new one');
    fork();
  });

  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    logger.info({ signal, workers }, 'stopping workers');
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  logger.info({ workers }, 'primary started');
}

export function isClusterPrimary(): boolean {
  return cluster.isPrimary;
}
