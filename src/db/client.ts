import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';

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

/**
 * Opens the database the configuration names: a PostgreSQL server when
 * DATABASE_URL is set, else the embedded PGlite database in DATA_DIR.
 */
export async function openDatabase(
  config: Pick<Config, 'databaseUrl' | 'dataDir' | 'databasePoolSize'> & Partial<Pick<Config, 'databaseConnectTimeoutMs'>>,
): Promise<Database> {
  if (config.databaseUrl) return openPostgres(config.databaseUrl, config.databasePoolSize, config.databaseConnectTimeoutMs ?? 5000);
  return openPGlite(config.dataDir);
}

async function openPostgres(connectionString: string, poolSize: number, connectTimeoutMs: number): Promise<Database> {
  // Without a connect timeout, a request waits as long as the operating
  // system keeps trying to reach an unresponsive database host.
  const pool = new pg.Pool({ connectionString, max: poolSize, connectionTimeoutMillis: connectTimeoutMs });
  // An idle client that loses its connection emits 'error'; without a
  // listener that would end the process. The next query reconnects.
  pool.on('error', () => {});
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });

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

async function openPGlite(dataDir: string): Promise<Database> {
  const unlock = lockDataDir(dataDir);
  let client: PGlite;
  try {
    client = await PGlite.create(dataDir);
  } catch (error) {
    unlock();
    throw error;
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(client) });

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
