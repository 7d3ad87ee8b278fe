import type { AddressInfo } from 'node:net';

import { serve, type ServerType } from '@hono/node-server';
import type { Logger } from 'pino';

import type { Config } from './config.js';
import { openDatabase, type Database, type OpenOptions } from './db/client.js';
import { migrate } from './db/migrate.js';
import { createApp } from './server.js';

export interface RunningServer {
  url: string;
  database: Database;
  close(): Promise<void>;
}

/** Opens the database, applies pending migrations and returns it. */
export async function openMigratedDatabase(config: Config, logger: Logger, options: OpenOptions = {}): Promise<Database> {
  const database = await openDatabase(config, options);
  try {
    const session = await database.sqlSession();
    try {
      const applied = await migrate(session);
      if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied');
    } finally {
      await session.release();
    }
    return database;
  } catch (error) {
    await database.close();
    throw error;
  }
}

/** Starts the HTTP server on the configured host and port. */
export async function startServer(
  config: Config,
  logger: Logger,
  options: { now?: () => Date } & OpenOptions = {},
): Promise<RunningServer> {
  const database = await openMigratedDatabase(config, logger, { onQuery: options.onQuery });
  const app = createApp({ config, database, logger, now: options.now });

  const server = await new Promise<ServerType>((resolve, reject) => {
    const instance = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, () => resolve(instance));
    instance.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info({ url, database: database.kind }, 'server started');

  return {
    url,
    database,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await database.close();
      logger.info('server stopped');
    },
  };
}
