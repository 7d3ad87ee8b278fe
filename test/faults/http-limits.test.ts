import http from 'node:http';
import net from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { ADMIN_KEY, startTestServer, type TestServer } from '../support/test-server.js';

const WEBHOOK_LIMIT = 2048;
const GRAPHQL_LIMIT = 4096;

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    WEBHOOK_BODY_LIMIT_BYTES: String(WEBHOOK_LIMIT),
    GRAPHQL_BODY_LIMIT_BYTES: String(GRAPHQL_LIMIT),
    HTTP_HEADERS_TIMEOUT_MS: '500',
    HTTP_REQUEST_TIMEOUT_MS: '1000',
    HTTP_KEEP_ALIVE_TIMEOUT_MS: '300',
  });
  await server.seed();
});

afterAll(async () => {
  await server?.close();
});

/**
 * Sends a chunked body without Content-Length, in 1 KiB chunks up to
 * `totalBytes`, and resolves with the response status and content type.
 * Writes after the response has arrived may fail; that is expected.
 */
function sendChunked(path: string, headers: Record<string, string>, totalBytes: number): Promise<{ status: number; contentType: string | undefined }> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', ...headers },
    });
    let answered = false;
    request.on('response', (response) => {
      answered = true;
      response.resume();
      resolve({ status: response.statusCode ?? 0, contentType: response.headers['content-type'] });
    });
    request.on('error', (error) => {
      if (!answered) reject(error);
    });

    const chunk = Buffer.alloc(1024, 'a');
    let sent = 0;
    const writeMore = () => {
      while (sent < totalBytes && !answered) {
        sent += chunk.length;
        if (!request.write(chunk)) return void request.once('drain', writeMore);
      }
      request.end();
    };
    request.write('{"padding":"');
    writeMore();
  });
}

/** Opens a raw connection, writes `data`, and resolves with everything received until the server closes it. */
function rawExchange(data: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const { port } = new URL(server.url);
    const socket = net.connect(Number(port), '127.0.0.1', () => socket.write(data));
    let received = '';
    socket.on('data', (bytes) => (received += bytes.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
  });
}

async function expectStillServing(): Promise<void> {
  expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
}

describe('request bodies over the limit', () => {
  const oversizedJson = JSON.stringify({ padding: 'x'.repeat(GRAPHQL_LIMIT * 2) });

  it.each([
    ['generic postback', '/yield-webhooks/demo', {}],
    ['Awin postback', '/yield-webhooks/awin/postback', {}],
    ['batch import', '/yield-webhooks/batch-import', { 'x-internal-key': ADMIN_KEY }],
    ['GraphQL', '/graphql', { 'x-internal-key': ADMIN_KEY }],
  ])('%s with Content-Length answers 413', async (_name, path, headers) => {
    const response = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: oversizedJson,
    });
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    await expectStillServing();
  });

  it.each([
    ['generic postback', '/yield-webhooks/demo', {}, WEBHOOK_LIMIT],
    ['Awin postback', '/yield-webhooks/awin/postback', {}, WEBHOOK_LIMIT],
    ['batch import', '/yield-webhooks/batch-import', { 'x-internal-key': ADMIN_KEY }, GRAPHQL_LIMIT],
    ['GraphQL', '/graphql', { 'x-internal-key': ADMIN_KEY }, GRAPHQL_LIMIT],
  ])('%s sent chunked answers 413', async (_name, path, headers, limit) => {
    const answer = await sendChunked(path, headers, limit * 8);
    expect(answer.status).toBe(413);
    expect(answer.contentType).toBe('application/problem+json');
    await expectStillServing();
  });

  it('records nothing and keeps accepting postbacks', async () => {
    const body = JSON.stringify({ event_type: 'sale', domain: 'garden-tools.example', transaction_id: 'after-413', amount: '3.00' });
    const response = await server.signedPostback('/yield-webhooks/demo', body);
    expect(response.status).toBe(200);
    expect(await server.database.prisma.transaction.count()).toBe(1);
    expect(await server.totalsMismatches()).toEqual([]);
  });
});

describe('slow and stalled clients', () => {
  it('closes a connection whose headers never finish', async () => {
    const received = await rawExchange('POST /yield-webhooks/demo HTTP/1.1\r\nHost: localhost\r\n');
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    await expectStillServing();
  });

  it('closes a connection whose body stalls', async () => {
    const received = await rawExchange(
      'POST /yield-webhooks/demo HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"event_type":',
    );
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    await expectStillServing();
  });

  it('closes an idle keep-alive connection', async () => {
    const received = await rawExchange('GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n');
    expect(received).toMatch(/^HTTP\/1\.1 200 /);
    expect(received).toMatch(/keep-alive/i);
  });
});
