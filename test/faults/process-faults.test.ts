import net from 'node:net';

import { afterEach, describe, expect, inject, it } from 'vitest';

import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { ADMIN_KEY, hexSignature, SECRET } from '../support/test-server.js';

const template = inject('template');
const DOMAIN = 'crash.example';

interface Answer {
  partnerTransactionId: string;
  /** 0 when the request got no HTTP answer at all. */
  status: number;
  transactionId?: number;
}

let database: TestDatabase | undefined;
const started: ServerProcess[] = [];

afterEach(async () => {
  for (const server of started.splice(0)) {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    await server.exited;
  }
  await database?.drop();
  database = undefined;
});

async function start(env: Record<string, string>): Promise<ServerProcess> {
  const server = await startServerProcess(env);
  started.push(server);
  return server;
}

function postback(url: string, partnerTransactionId: string): Promise<Response> {
  const body = JSON.stringify({ event_type: 'sale', domain: DOMAIN, transaction_id: partnerTransactionId, amount: '2.50', currency: 'EUR' });
  return fetch(`${url}/yield-webhooks/crash`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-webhook-signature': hexSignature(body) },
    body,
  });
}

async function graphql(url: string, query: string): Promise<any> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-internal-key': ADMIN_KEY },
    body: JSON.stringify({ query }),
  });
  return ((await response.json()) as { data: unknown }).data;
}

/** Sends postbacks with new ids from several workers until stopped; answers are recorded in order. */
function startLoad(url: string) {
  const answers: Answer[] = [];
  let next = 0;
  let stopped = false;
  const worker = async () => {
    while (!stopped) {
      const partnerTransactionId = `crash-${next++}`;
      try {
        const response = await postback(url, partnerTransactionId);
        const body = (await response.json()) as { transaction_id?: number };
        answers.push({ partnerTransactionId, status: response.status, transactionId: body.transaction_id });
      } catch {
        answers.push({ partnerTransactionId, status: 0 });
      }
    }
  };
  const running = Array.from({ length: 8 }, worker);
  return {
    answers,
    acknowledged: () => answers.filter((answer) => answer.status === 200).length,
    async stop() {
      stopped = true;
      await Promise.all(running);
    },
  };
}

async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

async function waitForAsync(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 10));
}

/**
 * Sends every postback again to a fresh server: each acknowledged one must
 * come back as a duplicate of the same transaction, every other one is
 * recorded now, and the totals still match the transactions.
 */
async function checkEveryAcknowledgedPostbackKept(url: string, answers: Answer[]): Promise<void> {
  const lost: string[] = [];
  for (const answer of answers) {
    const response = await postback(url, answer.partnerTransactionId);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { transaction_id: number; duplicate: boolean };
    if (answer.status === 200 && (!body.duplicate || body.transaction_id !== answer.transactionId)) lost.push(answer.partnerTransactionId);
  }
  expect(lost).toEqual([]);

  const data = await graphql(url, `{ transactions(filter: { partner: "crash" }) { totalCount } totalsMismatches { field } }`);
  expect(data.transactions.totalCount).toBe(new Set(answers.map((answer) => answer.partnerTransactionId)).size);
  expect(data.totalsMismatches).toEqual([]);
}

async function startSeeded(): Promise<{ env: Record<string, string>; server: ServerProcess }> {
  database = await createTestDatabase(template);
  const env = { ...database.env, INTERNAL_API_KEY: ADMIN_KEY, YIELD_WEBHOOK_SECRET: SECRET, WEBHOOK_RATE_LIMIT: '1000000' };
  const server = await start(env);
  await graphql(
    server.url,
    `mutation { p: upsertPartner(input: { slug: "crash", name: "Crash" }) { __typename }
                d: upsertDomain(input: { domain: "${DOMAIN}", userId: 1 }) { __typename } }`,
  );
  return { env, server };
}

describe('server process faults', () => {
  it('keeps every acknowledged postback after kill -9', async () => {
    const { env, server } = await startSeeded();
    const load = startLoad(server.url);
    await waitUntil(() => load.acknowledged() >= 100);

    server.child.kill('SIGKILL');
    // Workers stop sending, and the requests already sent end without an answer.
    const stopping = load.stop();
    expect(await server.exited).toBe('SIGKILL');
    await stopping;
    expect(load.answers.filter((answer) => answer.status !== 200 && answer.status !== 0)).toEqual([]);

    const restarted = await start(env);
    await checkEveryAcknowledgedPostbackKept(restarted.url, load.answers);
  }, 120_000);

  it('finishes open requests on SIGTERM', async () => {
    const { env, server } = await startSeeded();
    const forged = 'ff'.repeat(32);
    const rejected = await fetch(`${server.url}/yield-webhooks/crash`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-webhook-signature': forged },
      body: '{"event_type":"sale"}',
    });
    expect(rejected.status).toBe(401);
    const load = startLoad(server.url);
    await waitUntil(() => load.acknowledged() >= 100);

    server.child.kill('SIGTERM');
    const stopping = load.stop();
    expect(await server.exited).toBe(0);
    await stopping;
    expect(load.answers.filter((answer) => answer.status !== 200 && answer.status !== 0)).toEqual([]);
    const messages = server.logLines.map((line) => line.msg);
    expect(messages).toContain('server stopped');
    expect(messages).not.toContain('shutdown timeout passed; closing the connections of unfinished requests');

    expect(server.logLines.find((line) => line.msg === 'postback rejected')).toMatchObject({ partner: 'crash', route: '/yield-webhooks/{partnerSlug}', status: 401 });
    const accessLine = server.logLines.find((line) => line.msg === 'request completed' && line.path === '/yield-webhooks/crash' && line.status === 200);
    expect(accessLine).toMatchObject({ method: 'POST', durationMs: expect.any(Number), requestId: expect.any(String) });
    const logText = JSON.stringify(server.logLines);
    expect(logText).not.toContain(SECRET);
    expect(logText).not.toContain(ADMIN_KEY);
    expect(logText).not.toContain(forged);

    const restarted = await start(env);
    await checkEveryAcknowledgedPostbackKept(restarted.url, load.answers);
  }, 120_000);

  it('stops after the shutdown timeout despite a stalled request', async () => {
    database = await createTestDatabase(template);
    const stalling = await start({ ...database.env, SHUTDOWN_TIMEOUT_MS: '300' });
    const { port } = new URL(stalling.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    const socketClosed = new Promise((resolve) => socket.once('close', resolve));
    socket.on('error', () => {});
    // Headers and half of the announced body, then nothing: the handler waits for the rest.
    socket.write('POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"query":');
    // The scrape counts itself, so 2 means the stalled request is being handled.
    await waitForAsync(async () => /^yield_ledger_http_requests_in_flight 2$/m.test(await (await fetch(`${stalling.url}/metrics`)).text()));

    stalling.child.kill('SIGTERM');
    expect(await stalling.exited).toBe(0);
    await socketClosed;
    const messages = stalling.logLines.map((line) => line.msg);
    expect(messages).toContain('shutdown timeout passed; closing the connections of unfinished requests');
    expect(messages).toContain('server stopped');
  }, 60_000);
});
