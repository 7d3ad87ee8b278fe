import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

import { serve } from '@hono/node-server';
import type { Logger } from 'pino';

import type { Config } from './config.js';
import { openDatabase, type Database, type OpenOptions } from './db/client.js';
import { migrate } from './db/migrate.js';
import { InFlightRequests } from './in-flight-requests.js';
import { createMetrics } from './metrics.js';
import { createApp } from './server.js';

export interface RunningServer {
  url: string;
  database: Database;
  /**
   * Stops the server: new connections are refused, open requests get up to
   * SHUTDOWN_TIMEOUT_MS to finish, then the database is closed.
   */
  close(): Promise<void>;
}

// Node checks the headers and request timeouts at this interval (30 s by
// default), so a stalled client could otherwise hold its socket that much
// longer than the timeout allows.
const TIMEOUT_CHECK_INTERVAL_MS = 1000;

/** Opens the database, applies pending migrations and returns it. */
export async function openMigratedDatabase(config: Config, logger: Logger, options: OpenOptions = {}): Promise<Database> {
  const database = await openDatabase(config, options);
  try {
    const session = await database.sqlSession();
    try {
      const applied = await migrate(session);
      if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied');
      else logger.info('database schema is up to date; no migrations applied');
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
  const metrics = createMetrics(database);
  const inFlight = new InFlightRequests();
  let shuttingDown = false;
  const app = createApp({ config, database, logger, metrics, inFlight, isShuttingDown: () => shuttingDown, now: options.now });

  let server: Server;
  try {
    server = await listen(app.fetch, config);
  } catch (error) {
    await database.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info({ url, database: database.kind }, 'server started');

  let closing: Promise<void> | undefined;
  return {
    url,
    database,
    close() {
      closing ??= (async () => {
        shuttingDown = true;
        logger.info({ openRequests: inFlight.count, timeoutMs: config.shutdownTimeoutMs }, 'stopping: refusing new connections, finishing open requests');
        const drained = await drain(server, inFlight, config.shutdownTimeoutMs);
        if (!drained) {
          // Their transactions roll back when the database closes, and none of
          // them has been answered, so the callers retry and nothing acknowledged is lost.
          logger.warn({ openRequests: inFlight.count }, 'shutdown timeout passed; closing the connections of unfinished requests');
          server.closeAllConnections();
        }
        await database.close();
        logger.info('server stopped');
      })();
      return closing;
    },
  };
}

async function listen(fetch: Parameters<typeof serve>[0]['fetch'], config: Config): Promise<Server> {
  return new Promise<Server>((resolve, reject) => {
    const instance = serve(
      {
        fetch,
        hostname: config.host,
        port: config.port,
        serverOptions: {
          headersTimeout: config.httpHeadersTimeoutMs,
          requestTimeout: config.httpRequestTimeoutMs,
          keepAliveTimeout: config.httpKeepAliveTimeoutMs,
          connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
        },
      },
      () => resolve(instance as Server),
    ) as Server;
    instance.keepAliveTimeout = config.httpKeepAliveTimeoutMs;
    instance.once('error', reject);
  });
}

/**
 * Stops accepting connections and waits until every open request has been
 * answered and every connection has closed. Returns false when the timeout
 * passed first.
 */
async function drain(server: Server, inFlight: InFlightRequests, timeoutMs: number): Promise<boolean> {
  let closed = false;
  server.close(() => {
    closed = true;
  });

  const deadline = Date.now() + timeoutMs;
  while (!closed || inFlight.count > 0) {
    if (Date.now() >= deadline) return false;
    // A keep-alive connection becomes idle once its response is sent; closing
    // idle connections on each pass ends them without waiting for the keep-alive timeout.
    server.closeIdleConnections();
    await delay(20);
  }
  return true;
}
