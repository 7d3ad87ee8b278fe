import type { PGlite } from '@electric-sql/pglite';

import type { Config } from '../config.js';
import { PrismaClient } from '../generated/prisma/client.js';
import { lockDataDir } from './data-dir-lock.js';
import type { SqlSession } from './migrate.js';

export type DatabaseKind = 'pglite' | 'postgresql';

/** Connections of the PostgreSQL pool, as pg.Pool counts them. */
export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

export interface Database {
  kind: DatabaseKind;
  prisma: PrismaClient;
  /** Returns the pool's connection counts; undefined for PGlite, which has one in-process connection. */
  poolStats(): PoolStats | undefined;
  /** Opens a raw SQL session for migrations and checks; release it after use. */
  sqlSession(): Promise<SqlSession & { release(): Promise<void> }>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Receives the SQL of every statement Prisma runs; tests count them. */
  onQuery?: (sql: string) => void;
}

/**
 * Opens the database the configuration names: a PostgreSQL server when
 * DATABASE_URL is set, else the embedded PGlite database in DATA_DIR.
 */
export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'databasePoolSize'> & Partial<Pick<Config, 'databaseConnectTimeoutMs'>>,
  options: OpenOptions = {},
): Promise<Database> {
  if (config.databaseUrl) {
    return openPostgres(config.databaseUrl, config.databasePoolSize, config.databaseConnectTimeoutMs ?? 5000, options);
  }
  return openPGlite(config.dataDir, options);
}

function createPrismaClient(adapter: NonNullable<ConstructorParameters<typeof PrismaClient>[0]['adapter']>, options: OpenOptions): PrismaClient {
  if (!options.onQuery) return new PrismaClient({ adapter });

  const onQuery = options.onQuery;
  const client = new PrismaClient({ adapter, log: [{ emit: 'event', level: 'query' }] });
  client.$on('query', (event) => onQuery(event.query));
  return client as unknown as PrismaClient;
}

// Each kind of database loads only its own driver: PGlite alone takes tens
// of megabytes that a PostgreSQL deployment never needs.
async function openPostgres(connectionString: string, poolSize: number, connectTimeoutMs: number, options: OpenOptions): Promise<Database> {
  const [{ default: pg }, { PrismaPg }] = await Promise.all([import('pg'), import('@prisma/adapter-pg')]);
  // Without a connect timeout, a request waits as long as the operating
  // system keeps trying to reach an unresponsive database host.
  const pool = new pg.Pool({ connectionString, max: poolSize, connectionTimeoutMillis: connectTimeoutMs });
  // An idle client that loses its connection emits 'error'; without a
  // listener that would end the process. The next query reconnects.
  pool.on('error', () => {});
  const prisma = createPrismaClient(new PrismaPg(pool), options);

  return {
    kind: 'postgresql',
    prisma,
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: poolSize }),
    async sqlSession() {
      const client = await pool.connect();
      return {
        shared: true,
        async query<Row>(sql: string, params: unknown[] = []) {
          return (await client.query(sql, params)).rows as Row[];
        },
        async exec(script: string) {
          await client.query(script);
        },
        async release() {
          client.release();
        },
      };
    },
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

async function openPGlite(dataDir: string, options: OpenOptions): Promise<Database> {
  const [{ PGlite }, { PrismaPGlite }] = await Promise.all([import('@electric-sql/pglite'), import('pglite-prisma-adapter')]);
  const unlock = lockDataDir(dataDir);
  let client: PGlite;
  try {
    client = await PGlite.create(dataDir);
  } catch (error) {
    unlock();
    throw error;
  }
  const prisma = createPrismaClient(new PrismaPGlite(client), options);

  return {
    kind: 'pglite',
    prisma,
    poolStats: () => undefined,
    async sqlSession() {
      return {
        shared: false,
        async query<Row>(sql: string, params: unknown[] = []) {
          return (await client.query<Row>(sql, params)).rows;
        },
        async exec(script: string) {
          await client.exec(script);
        },
        async release() {},
      };
    },
    async close() {
      await prisma.$disconnect();
      await client.close();
      unlock();
    },
  };
}
