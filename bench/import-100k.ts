// Measures importBatch on 100,000 new rows, then the same rows again (all
// skipped), on a throwaway PostgreSQL database that it creates and drops.
// Run with `npm run bench:import`; BENCH_DATABASE_URL names the server
// (default postgresql://postgres@127.0.0.1:5432/postgres), BENCH_ROWS the row
// count and BENCH_CHUNK_SIZE the rows per database transaction.
import { cpus } from 'node:os';

import pg from 'pg';

import { openDatabase } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { upsertDomain } from '../src/ledger/domains.js';
import { importBatch, type ImportRow } from '../src/ledger/import-batch.js';
import { checkTotals } from '../src/ledger/invariant-check.js';
import { upsertPartner } from '../src/ledger/partners.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const DOMAINS = 50;
const chunkSize = process.env.BENCH_CHUNK_SIZE ? Number(process.env.BENCH_CHUNK_SIZE) : undefined;
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const name = `yield_ledger_bench_${process.pid}`;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function benchRows(): ImportRow[] {
  const statuses = ['PENDING', 'PENDING', 'CONFIRMED', 'REJECTED'] as const;
  return Array.from({ length: ROWS }, (_, index) => ({
    domain: `bench-${index % DOMAINS}.example`,
    eventType: index % 10 === 0 ? 'LEAD' : 'SALE',
    partner: 'bench',
    transactionId: `bench-${index}`,
    grossAmount: `${(index % 997) + 1}.${String(index % 100).padStart(2, '0')}`,
    currency: index % 3 === 0 ? 'GBP' : 'EUR',
    status: statuses[index % statuses.length],
    occurredAt: new Date(Date.UTC(2026, 10, 1) + index * 60_000),
  }));
}

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await work();
  console.log(`${label}: ${((performance.now() - start) / 1000).toFixed(2)} s`);
  return result;
}

async function main(): Promise<void> {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  await admin(`CREATE DATABASE "${name}"`);
  const database = await openDatabase({ databaseUrl: url.toString(), dataDir: '', databasePoolSize: 4 });
  try {
    const session = await database.sqlSession();
    await migrate(session);
    await session.release();

    const db = database.prisma;
    await upsertPartner(db, { slug: 'bench', name: 'Benchmark partner' });
    for (let index = 0; index < DOMAINS; index++) await upsertDomain(db, { domain: `bench-${index}.example`, userId: 1 });

    const rows = benchRows();
    console.log(`node ${process.version}, ${cpus().length} cores, ${ROWS.toLocaleString('en-US')} rows, ${DOMAINS} domains`);
    const first = await timed('first import', () => importBatch(db, rows, { chunkSize }));
    console.log(`  imported ${first.imported}, updated ${first.updated}, skipped ${first.skipped}, errors ${first.errors.length}`);
    const again = await timed('same rows again', () => importBatch(db, rows, { chunkSize }));
    console.log(`  imported ${again.imported}, updated ${again.updated}, skipped ${again.skipped}, errors ${again.errors.length}`);
    const dry = await timed('dry run of the same rows', () => importBatch(db, rows, { dryRun: true, chunkSize }));
    console.log(`  imported ${dry.imported}, updated ${dry.updated}, skipped ${dry.skipped}, errors ${dry.errors.length}`);

    const mismatches = await checkTotals(db);
    console.log(`totals mismatches: ${mismatches.length}`);
    if (first.imported !== ROWS || mismatches.length > 0) process.exitCode = 1;
  } finally {
    await database.close();
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

await main();
