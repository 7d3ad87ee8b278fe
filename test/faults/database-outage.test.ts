import { setTimeout as delay } from 'node:timers/promises';

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { createTestDatabase, withAdminClient, type TestDatabase } from '../support/databases.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const template = inject('template');
const PATH = '/yield-webhooks/demo';

interface Answer {
  partnerTransactionId: string;
  status: number;
  retryAfter: string | null;
  transactionId?: number;
}

/** Polls until the condition holds; the test timeout bounds the wait. */
async function waitUntil(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await delay(20);
}

function saleBody(partnerTransactionId: string): string {
  return JSON.stringify({ event_type: 'sale', domain: 'garden-tools.example', transaction_id: partnerTransactionId, amount: '1.25', currency: 'EUR' });
}

/** Sends postbacks with new transaction ids from several workers until stopped. */
function startLoad(server: TestServer, prefix: string, workers = 8) {
  const answers: Answer[] = [];
  let next = 0;
  let stopped = false;
  const worker = async () => {
    while (!stopped) {
      const partnerTransactionId = `${prefix}-${next++}`;
      try {
        const response = await server.signedPostback(PATH, saleBody(partnerTransactionId));
        const body = (await response.json()) as { transaction_id?: number };
        answers.push({ partnerTransactionId, status: response.status, retryAfter: response.headers.get('retry-after'), transactionId: body.transaction_id });
      } catch {
        answers.push({ partnerTransactionId, status: 0, retryAfter: null });
      }
    }
  };
  const running = Array.from({ length: workers }, worker);
  return {
    answers,
    countSince: (start: number, status: number) => answers.slice(start).filter((answer) => answer.status === status).length,
    async stop() {
      stopped = true;
      await Promise.all(running);
    },
  };
}

/**
 * Checks what the ledger holds after an outage: every acknowledged postback
 * exactly once under the id it was answered with, and every postback that
 * got 503 recorded once its retry succeeds.
 */
async function checkLedgerAfterOutage(server: TestServer, answers: Answer[]): Promise<void> {
  expect(answers.filter((answer) => answer.status !== 200 && answer.status !== 503)).toEqual([]);
  expect(answers.filter((answer) => answer.status === 503 && answer.retryAfter === null)).toEqual([]);

  const rows = await server.database.prisma.transaction.findMany({ select: { id: true, partnerTransactionId: true } });
  const stored = new Map(rows.map((row) => [row.partnerTransactionId, row.id]));
  const acknowledged = answers.filter((answer) => answer.status === 200);
  expect(acknowledged.filter((answer) => stored.get(answer.partnerTransactionId) !== answer.transactionId)).toEqual([]);

  // A 503 may come after a commit whose confirmation was lost with the
  // connection, so a retry may be a duplicate; either way it ends recorded once.
  for (const answer of answers.filter((entry) => entry.status === 503)) {
    const retry = await server.signedPostback(PATH, saleBody(answer.partnerTransactionId));
    expect(retry.status).toBe(200);
  }
  const count = await server.database.prisma.transaction.count();
  expect(count).toBe(new Set(answers.map((answer) => answer.partnerTransactionId)).size - answers.filter((answer) => answer.status === 0).length);
  expect(await server.totalsMismatches()).toEqual([]);
}

describe.skipIf(template.kind !== 'postgresql')('database going away under load', () => {
  let proxy: TcpProxy;
  let server: TestServer;

  beforeAll(async () => {
    const database = await createTestDatabase(template);
    const direct = new URL(database.env.DATABASE_URL!);
    proxy = new TcpProxy(direct.hostname, Number(direct.port || 5432));
    await proxy.start();
    const proxied = new URL(direct);
    proxied.port = String(proxy.port);
    server = await startTestServer({ DATABASE_URL: proxied.toString(), DATABASE_CONNECT_TIMEOUT_MS: '1000', WEBHOOK_RATE_LIMIT: '1000000' }, { database });
    await server.seed();
  });

  afterAll(async () => {
    await server?.close();
    await proxy?.stop();
  });

  it('answers 503 with Retry-After, then recovers', async () => {
    const load = startLoad(server, 'cut');
    await waitUntil(() => load.countSince(0, 200) >= 50);

    await proxy.cut();
    const cutAt = load.answers.length;
    await waitUntil(() => load.countSince(cutAt, 503) >= 20);
    const readiness = await fetch(`${server.url}/readyz`);
    expect(readiness.status).toBe(503);

    await proxy.start();
    const restoredAt = load.answers.length;
    await waitUntil(() => load.countSince(restoredAt, 200) >= 50);
    await load.stop();

    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    await checkLedgerAfterOutage(server, load.answers);
  });
});

describe.skipIf(template.kind !== 'postgresql')('database refusing connections under load', () => {
  let database: TestDatabase;
  let server: TestServer;
  let name: string;

  const setAllowConnections = (allow: boolean) =>
    withAdminClient(template.kind === 'postgresql' ? template.url : '', async (client) => {
      await client.query(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS ${allow}`);
      if (!allow) await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
    });

  beforeAll(async () => {
    database = await createTestDatabase(template);
    name = new URL(database.env.DATABASE_URL!).pathname.slice(1);
    server = await startTestServer({ DATABASE_CONNECT_TIMEOUT_MS: '1000', WEBHOOK_RATE_LIMIT: '1000000' }, { database });
    await server.seed();
  });

  afterAll(async () => {
    if (name) await setAllowConnections(true);
    await server?.close();
  });

  it('answers 503 while connections are terminated, then recovers', async () => {
    const load = startLoad(server, 'terminated');
    await waitUntil(() => load.countSince(0, 200) >= 50);

    await setAllowConnections(false);
    const cutAt = load.answers.length;
    await waitUntil(() => load.countSince(cutAt, 503) >= 20);

    await setAllowConnections(true);
    const restoredAt = load.answers.length;
    await waitUntil(() => load.countSince(restoredAt, 200) >= 50);
    await load.stop();

    await checkLedgerAfterOutage(server, load.answers);
  });
});
