import type { ChildProcess } from 'node:child_process';

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { loadConfig } from '../../src/config.js';
import { openDatabase, type Database } from '../../src/db/client.js';
import { Money } from '../../src/ledger/money.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { startServerProcess } from '../support/server-process.js';
import { ADMIN_KEY, hexSignature, SECRET } from '../support/test-server.js';

const template = inject('template');
const DOMAIN = 'burst.example';
const KEYS = 256;

interface Postback {
  body: string;
}

let testDatabase: TestDatabase;
let database: Database;
const processes: ChildProcess[] = [];
const urls: string[] = [];

/** Starts `yield-ledger serve` as its own process and waits for its URL. */
async function startProcess(env: Record<string, string>): Promise<string> {
  const server = await startServerProcess(env);
  processes.push(server.child);
  return server.url;
}

/**
 * Builds the workload: per key a pending postback, an amendment while
 * pending, and an approval with the final amount, or a pending postback and
 * a rejection. Whatever order they arrive in, approved keys end confirmed at
 * the approval's amount and rejected keys end rejected.
 */
function buildWorkload(): { postbacks: Postback[]; expectedConfirmedGross: Money; confirmedKeys: number; rejectedKeys: number } {
  const postbacks: Postback[] = [];
  let expectedConfirmedGross = new Money(0);
  let confirmedKeys = 0;
  let rejectedKeys = 0;

  for (let key = 0; key < KEYS; key++) {
    const base = { event_type: 'sale', domain: DOMAIN, transaction_id: `burst-${key}`, currency: 'EUR' };
    const final = `${(key % 50) + 1}.${String(key % 100).padStart(2, '0')}`;
    if (key % 4 === 3) {
      postbacks.push({ body: JSON.stringify({ ...base, amount: '5.00', status: 'pending' }) });
      postbacks.push({ body: JSON.stringify({ ...base, status: 'rejected' }) });
      rejectedKeys++;
    } else {
      postbacks.push({ body: JSON.stringify({ ...base, amount: '5.00', status: 'pending' }) });
      postbacks.push({ body: JSON.stringify({ ...base, amount: '7.50', status: 'pending' }) });
      postbacks.push({ body: JSON.stringify({ ...base, amount: final, status: 'confirmed' }) });
      expectedConfirmedGross = expectedConfirmedGross.plus(final);
      confirmedKeys++;
    }
  }

  // Retries: 30 % of the total are exact repeats of earlier postbacks.
  const originals = postbacks.length;
  const retries = Math.round((originals * 0.3) / 0.7);
  for (let index = 0; index < retries; index++) postbacks.push(postbacks[(index * 7919) % originals]!);

  // A fixed shuffle, so a failure can be reproduced.
  let seed = 42;
  for (let index = postbacks.length - 1; index > 0; index--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const other = seed % (index + 1);
    [postbacks[index], postbacks[other]] = [postbacks[other]!, postbacks[index]!];
  }
  return { postbacks, expectedConfirmedGross, confirmedKeys, rejectedKeys };
}

describe.skipIf(template.kind !== 'postgresql')('two server processes on one database', () => {
  beforeAll(async () => {
    testDatabase = await createTestDatabase(template);
    const env = { ...testDatabase.env, INTERNAL_API_KEY: ADMIN_KEY, YIELD_WEBHOOK_SECRET: SECRET, WEBHOOK_RATE_LIMIT: '1000000' };
    database = await openDatabase(loadConfig(env));
    urls.push(...(await Promise.all([startProcess(env), startProcess(env)])));

    await fetch(`${urls[0]}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-internal-key': ADMIN_KEY },
      body: JSON.stringify({
        query: `mutation { p: upsertPartner(input: { slug: "burst", name: "Burst" }) { __typename }
                           d: upsertDomain(input: { domain: "${DOMAIN}", userId: 1 }) { __typename } }`,
      }),
    });
  }, 120_000);

  afterAll(async () => {
    for (const child of processes) child.kill('SIGTERM');
    await Promise.all(processes.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))));
    await database?.close();
    await testDatabase?.drop();
  });

  it('keeps one row per key and exact totals', async () => {
    const { postbacks, expectedConfirmedGross, confirmedKeys, rejectedKeys } = buildWorkload();
    expect(postbacks.length).toBeGreaterThanOrEqual(1000);

    const statuses: number[] = [];
    let next = 0;
    const worker = async (workerIndex: number) => {
      while (next < postbacks.length) {
        const index = next++;
        const { body } = postbacks[index]!;
        const response = await fetch(`${urls[(index + workerIndex) % 2]}/yield-webhooks/burst`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-webhook-signature': hexSignature(body) },
          body,
        });
        statuses.push(response.status);
        await response.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: 32 }, (_, index) => worker(index)));

    expect(statuses).toHaveLength(postbacks.length);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);

    const rows = await database.prisma.transaction.groupBy({ by: ['status'], _count: true, where: { domain: { name: DOMAIN } } });
    expect(Object.fromEntries(rows.map((row) => [row.status, row._count]))).toEqual({ CONFIRMED: confirmedKeys, REJECTED: rejectedKeys });

    const totals = await database.prisma.domainTotal.findFirstOrThrow({ where: { domain: { name: DOMAIN }, currency: 'EUR' } });
    expect(totals.confirmedGross.toFixed(6)).toBe(expectedConfirmedGross.toFixed(6));
    expect(totals.pendingGross.toFixed(6)).toBe('0.000000');
    expect(totals.sales).toBe(KEYS);

    const check = await fetch(`${urls[1]}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-internal-key': ADMIN_KEY },
      body: JSON.stringify({ query: '{ totalsMismatches { field } }' }),
    });
    expect((await check.json()).data.totalsMismatches).toEqual([]);
  }, 180_000);
});
