// Load benchmark of yield-ledger against a bare baseline on this machine.
// Usage: npm run bench [-- --quick]. Writes bench/results.json and the
// results section of BENCHMARKS.md. Never part of npm test.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

import autocannon from 'autocannon';
import pg from 'pg';

const { values: options } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    databases: { type: 'string', default: 'postgresql,pglite' },
  },
});
const QUICK = options.quick;
const DURATION = QUICK ? 3 : 10;
const LEDGER_ROWS = QUICK ? 100_000 : 1_000_000;
const IMPORT_ROWS = QUICK ? 10_000 : 100_000;
const CONNECTIONS = [16, 64];
const PG_ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const SECRET = 'bench-signing-secret';
const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';
const PORT = 4500;
const BASELINE_PORT = 4600;
const ROOT = path.resolve(import.meta.dirname, '..');

interface Result {
  database: string;
  target: 'yield-ledger' | 'baseline';
  workers: number;
  scenario: string;
  connections: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  peakRssMb: number;
  mismatches?: number;
}

const results: Result[] = [];

function sign(body: string): string {
  return createHmac('sha256', SECRET).update(body).digest('hex');
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function databaseUrl(name: string): string {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Starts a process and resolves once a log line contains `ready`. */
async function startProcess(args: string[], env: Record<string, string>, ready: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  let started = 0;
  const wanted = Number(env.WORKERS ?? 1);
  for await (const line of lines) {
    if (line.includes(ready) && ++started >= wanted) {
      lines.on('line', () => {});
      return child;
    }
  }
  throw new Error(`${args.join(' ')} exited before it started`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Returns the largest peak RSS (VmHWM) among a process and its children, in MB. */
async function peakRssMb(pid: number): Promise<number> {
  const pids = [pid];
  try {
    const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8');
    pids.push(...children.trim().split(/\s+/).filter(Boolean).map(Number));
  } catch {
    // No children file: a single process.
  }
  let peak = 0;
  for (const each of pids) {
    const status = await readFile(`/proc/${each}/status`, 'utf8').catch(() => '');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    peak = Math.max(peak, kb / 1024);
  }
  return Math.round(peak);
}

async function graphql(query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const response = await fetch(`http://127.0.0.1:${PORT}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-internal-key': ADMIN_KEY },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: any; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

async function load(url: string, connections: number, setupRequest: (request: any) => any, method = 'POST'): Promise<autocannon.Result> {
  return autocannon({
    url,
    connections,
    duration: DURATION,
    method: method as 'POST',
    requests: [{ setupRequest }],
  });
}

function record(base: Omit<Result, 'requestsPerSecond' | 'p50' | 'p99' | 'errors' | 'non2xx'>, result: autocannon.Result): void {
  const row: Result = {
    ...base,
    requestsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
  results.push(row);
  console.log(JSON.stringify(row));
}

let sequence = 0;
function genericPostback(prefix: string, retryShare: number) {
  const recent: string[] = [];
  return (request: any) => {
    let body: string;
    if (recent.length > 100 && Math.random() < retryShare) {
      body = recent[Math.floor(Math.random() * recent.length)]!;
    } else {
      body = JSON.stringify({ event_type: 'sale', domain: 'bench.example', transaction_id: `${prefix}-${++sequence}`, amount: '12.34', currency: 'EUR' });
      recent.push(body);
      if (recent.length > 1000) recent.shift();
    }
    return { ...request, path: '/yield-webhooks/bench', headers: { 'content-type': 'application/json', 'x-webhook-signature': sign(body) }, body };
  };
}

function awinApproval(prefix: string) {
  let next = 0;
  return (request: any) => {
    const body = JSON.stringify({ clickRef: 'bench.example', transactionId: `${prefix}-${next++}`, commission: '5.00', commissionCurrency: 'EUR', status: 'approved' });
    return { ...request, path: '/yield-webhooks/awin/postback', headers: { 'content-type': 'application/json', 'x-awin-signature': sign(body) }, body };
  };
}

function graphqlRequest(query: string) {
  const body = JSON.stringify({ query });
  return (request: any) => ({ ...request, path: '/graphql', headers: { 'content-type': 'application/json', 'x-internal-key': ADMIN_KEY }, body });
}

/** Adds pending Awin transactions and a large ledger directly in SQL, then recomputes the totals. */
const SEED_SQL = (pendingAwin: number, ledgerRows: number) => `
  SELECT setseed(0.42);
  INSERT INTO "transaction" (domain_id, partner_id, event_type, status, partner_transaction_id, gross_amount, net_amount, revenue_share, currency, occurred_at, updated_at)
  SELECT d.id, p.id, 'SALE', 'PENDING', 'awin-' || g, 5.00, 3.50, 0.70, 'EUR', now(), now()
  FROM generate_series(0, ${pendingAwin - 1}) g, yield_domain d, partner p WHERE d.name = 'bench.example' AND p.slug = 'awin';
  INSERT INTO "transaction" (domain_id, partner_id, event_type, status, partner_transaction_id, gross_amount, net_amount, revenue_share, currency, occurred_at, updated_at)
  SELECT d.id, p.id, (ARRAY['CLICK','LEAD','SALE'])[1 + floor(random() * 3)::int]::"EventType",
    (ARRAY['PENDING','CONFIRMED','REJECTED','CONFIRMED'])[1 + floor(random() * 4)::int]::"TransactionStatus",
    'ledger-' || g, (g % 10000) / 100.0, (g % 10000) * 0.007, 0.70, (ARRAY['EUR','CHF','GBP'])[1 + g % 3],
    now() - random() * interval '90 days', now()
  FROM generate_series(1, ${ledgerRows}) g, yield_domain d, partner p WHERE d.name = 'ledger.example' AND p.slug = 'bench';
  DELETE FROM domain_total;
  INSERT INTO domain_total (domain_id, currency, confirmed_gross, confirmed_net, pending_gross, pending_net, clicks, leads, sales)
  SELECT domain_id, currency,
    COALESCE(SUM(gross_amount) FILTER (WHERE status = 'CONFIRMED'), 0), COALESCE(SUM(net_amount) FILTER (WHERE status = 'CONFIRMED'), 0),
    COALESCE(SUM(gross_amount) FILTER (WHERE status = 'PENDING'), 0), COALESCE(SUM(net_amount) FILTER (WHERE status = 'PENDING'), 0),
    COUNT(*) FILTER (WHERE event_type = 'CLICK'), COUNT(*) FILTER (WHERE event_type = 'LEAD'), COUNT(*) FILTER (WHERE event_type = 'SALE')
  FROM "transaction" GROUP BY domain_id, currency;
  ANALYZE;`;

async function seedThroughApi(): Promise<void> {
  await graphql(`mutation {
    p: upsertPartner(input: { slug: "bench", name: "Bench" }) { __typename }
    d: upsertDomain(input: { domain: "bench.example", userId: 1 }) { __typename }
    l: upsertDomain(input: { domain: "ledger.example", userId: 1 }) { __typename }
  }`);
}

async function mismatches(): Promise<number> {
  const data = await graphql('{ totalsMismatches { field } }');
  return data.totalsMismatches.length;
}

async function benchYieldLedger(database: 'postgresql' | 'pglite', workers: number): Promise<void> {
  const env: Record<string, string> = {
    PORT: String(PORT),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    YIELD_WEBHOOK_SECRET: SECRET,
    INTERNAL_API_KEY: ADMIN_KEY,
    WORKERS: String(workers),
    // The limit stays on, so its counting is measured, but far above the load.
    WEBHOOK_RATE_LIMIT: '1000000',
    GRAPHQL_BODY_LIMIT_BYTES: String(64 * 1024 * 1024),
  };
  const name = `yield_ledger_bench_${process.pid}`;
  let dataDir: string | undefined;
  if (database === 'postgresql') {
    await adminQuery(PG_ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await adminQuery(PG_ADMIN_URL, `CREATE DATABASE "${name}"`);
    env.DATABASE_URL = databaseUrl(name);
    env.DATABASE_POOL_SIZE = '10';
  } else {
    dataDir = await mkdtemp(path.join(tmpdir(), 'yield-ledger-bench-'));
    env.DATA_DIR = dataDir;
  }

  // First start: migrate and create the partner and domains, then stop to seed in SQL.
  let server = await startProcess(['bin/yield-ledger.mjs', 'serve'], { ...env, WORKERS: '1', LOG_LEVEL: 'info' }, 'server started');
  await seedThroughApi();
  await stopProcess(server);
  console.log(`seeding ${LEDGER_ROWS} ledger rows into ${database}…`);
  await seedSql(database, env, SEED_SQL(200_000, LEDGER_ROWS));

  server = await startProcess(['bin/yield-ledger.mjs', 'serve'], { ...env, LOG_LEVEL: 'info' }, 'server started');
  const base = { database, target: 'yield-ledger' as const, workers };
  const url = `http://127.0.0.1:${PORT}`;
  try {
    for (const connections of CONNECTIONS) {
      record({ ...base, scenario: 'postback, new transactions', connections, peakRssMb: 0 }, await load(url, connections, genericPostback(`new-${connections}-${workers}`, 0)));
      record({ ...base, scenario: 'postback, 30 % retries', connections, peakRssMb: 0 }, await load(url, connections, genericPostback(`retry-${connections}-${workers}`, 0.3)));
      record({ ...base, scenario: 'Awin status updates', connections, peakRssMb: 0 }, await load(url, connections, awinApproval(`awin`)));
      record(
        { ...base, scenario: `domainRevenue, ${LEDGER_ROWS.toLocaleString('en')} rows`, connections, peakRssMb: 0 },
        await load(url, connections, graphqlRequest('{ domainRevenue(domain: "ledger.example") { totals { currency confirmedNet pendingNet clicks } } }')),
      );
      record(
        { ...base, scenario: `transactions(first: 50), filtered, ${LEDGER_ROWS.toLocaleString('en')} rows`, connections, peakRssMb: 0 },
        await load(url, connections, graphqlRequest('{ transactions(first: 50, filter: { domain: "ledger.example", status: CONFIRMED, eventType: SALE }) { edges { node { transactionId grossAmount occurredAt } } } }')),
      );
    }
    const rss = await peakRssMb(server.pid!);
    for (const row of results) if (row.database === database && row.workers === workers && row.target === 'yield-ledger') row.peakRssMb = rss;

    const found = await mismatches();
    for (const row of results) if (row.database === database && row.workers === workers) row.mismatches = found;
    console.log(`invariant check after the scenarios: ${found} mismatches`);

    if (workers === 1) await benchImport(database);
  } finally {
    await stopProcess(server);
    if (database === 'postgresql') await adminQuery(PG_ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}

const importTimes: { database: string; rows: number; seconds: number; imported: number; mismatches: number }[] = [];

async function benchImport(database: string): Promise<void> {
  const batch = 10_000;
  let imported = 0;
  const started = performance.now();
  for (let offset = 0; offset < IMPORT_ROWS; offset += batch) {
    const rows = Array.from({ length: Math.min(batch, IMPORT_ROWS - offset) }, (_, index) => ({
      domain: 'bench.example',
      eventType: 'SALE',
      partner: 'bench',
      transactionId: `import-${offset + index}`,
      grossAmount: '9.99',
      currency: 'EUR',
      status: (offset + index) % 2 ? 'CONFIRMED' : 'PENDING',
    }));
    const data = await graphql('mutation ($input: ImportBatchInput!) { importBatch(input: $input) { ... on MutationImportBatchSuccess { data { imported errors { index } } } } }', {
      input: { rows },
    });
    imported += data.importBatch.data.imported;
  }
  const seconds = (performance.now() - started) / 1000;
  const found = await mismatches();
  importTimes.push({ database, rows: IMPORT_ROWS, seconds: Math.round(seconds * 10) / 10, imported, mismatches: found });
  console.log(JSON.stringify(importTimes.at(-1)));
}

async function seedSql(database: string, env: Record<string, string>, sql: string): Promise<void> {
  if (database === 'postgresql') {
    await adminQuery(env.DATABASE_URL!, sql);
    return;
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const client = await PGlite.create(env.DATA_DIR!);
  await client.exec(sql);
  await client.close();
}

async function benchBaseline(workers: number): Promise<void> {
  const name = `yield_ledger_baseline_${process.pid}`;
  await adminQuery(PG_ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await adminQuery(PG_ADMIN_URL, `CREATE DATABASE "${name}"`);
  const server = await startProcess(['--import', 'tsx', 'bench/baseline-server.ts'], {
    DATABASE_URL: databaseUrl(name),
    PORT: String(BASELINE_PORT),
    YIELD_WEBHOOK_SECRET: SECRET,
    WORKERS: String(workers),
  }, 'baseline started');
  try {
    for (const connections of CONNECTIONS) {
      record(
        { database: 'postgresql', target: 'baseline', workers, scenario: 'postback, new transactions', connections, peakRssMb: 0 },
        await load(`http://127.0.0.1:${BASELINE_PORT}`, connections, genericPostback(`baseline-${connections}-${workers}`, 0)),
      );
    }
    const rss = await peakRssMb(server.pid!);
    for (const row of results) if (row.target === 'baseline' && row.workers === workers) row.peakRssMb = rss;
  } finally {
    await stopProcess(server);
    await adminQuery(PG_ADMIN_URL, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

function renderMarkdown(command: string): string {
  const baseline = (workers: number, connections: number) =>
    results.find((row) => row.target === 'baseline' && row.workers === workers && row.connections === connections);
  const lines = [
    `Measured ${new Date().toISOString().slice(0, 10)} with \`${command}\` on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node.js ${process.version}, PostgreSQL on the same machine; each load runs ${DURATION} s from autocannon in the benchmark process, which shares the cores with the server and the database.`,
    '',
    '| database | server | workers | scenario | connections | requests/s | ÷ baseline | p50 ms | p99 ms | p99 ÷ baseline | errors + non-2xx | peak RSS MB |',
    '| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of results) {
    const reference = row.scenario.startsWith('postback, new') ? baseline(row.workers, row.connections) : undefined;
    const ratio = reference && row.target !== 'baseline' ? (row.requestsPerSecond / reference.requestsPerSecond).toFixed(2) : '';
    const latencyRatio = reference && row.target !== 'baseline' ? (row.p99 / Math.max(reference.p99, 1)).toFixed(2) : '';
    lines.push(
      `| ${row.database} | ${row.target} | ${row.workers} | ${row.scenario} | ${row.connections} | ${row.requestsPerSecond} | ${ratio} | ${row.p50} | ${row.p99} | ${latencyRatio} | ${row.errors + row.non2xx} | ${row.peakRssMb} |`,
    );
  }
  lines.push('', '| database | rows imported with importBatch (10,000 per call) | seconds | totals mismatches after |', '| --- | ---: | ---: | ---: |');
  for (const row of importTimes) lines.push(`| ${row.database} | ${row.imported.toLocaleString('en')} of ${row.rows.toLocaleString('en')} | ${row.seconds} | ${row.mismatches} |`);
  const checks = [...new Set(results.filter((row) => row.mismatches !== undefined).map((row) => `${row.database}, ${row.workers} worker(s): ${row.mismatches}`))];
  lines.push('', `Invariant check (totalsMismatches) after the load scenarios: ${checks.join('; ')}.`);
  return lines.join('\n');
}

const databases = options.databases!.split(',');
const command = `npm run bench${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;

for (const workers of [1, 2]) await benchBaseline(workers);
if (databases.includes('postgresql')) {
  await benchYieldLedger('postgresql', 1);
  await benchYieldLedger('postgresql', 2);
}
if (databases.includes('pglite')) await benchYieldLedger('pglite', 1);

await writeFile(path.join(ROOT, 'bench', 'results.json'), `${JSON.stringify({ results, importTimes }, null, 2)}\n`);
const markdown = renderMarkdown(command);
const file = path.join(ROOT, 'BENCHMARKS.md');
const current = await readFile(file, 'utf8').catch(() => '# Benchmarks\n\n<!-- bench:start -->\n<!-- bench:end -->\n');
const updated = current.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, `<!-- bench:start -->\n${markdown}\n<!-- bench:end -->`);
await writeFile(file, updated);
console.log(markdown);
