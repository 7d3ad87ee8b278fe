import { createHmac } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { fixture, hexSignature, SECRET, startTestServer, type TestServer } from '../support/test-server.js';

const ROUTE = '/yield-webhooks/awin/postback';
let server: TestServer;
let domainId: number;

beforeAll(async () => {
  server = await startTestServer();
  await server.seed({ partner: 'demo', domains: ['garden-tools.example', 'shop.example'] });
  domainId = (await server.database.prisma.yieldDomain.findUniqueOrThrow({ where: { name: 'shop.example' } })).id;
});

afterAll(async () => {
  expect(await server.totalsMismatches()).toEqual([]);
  await server.close();
});

function standardWebhookHeaders(id: string, body: string, timestamp: number, secret = SECRET) {
  const signature = createHmac('sha256', secret).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${signature}` };
}

describe('awin postback', () => {
  it('records the pending fixture, then approves it', async () => {
    const pending = await server.signedPostback(ROUTE, fixture('awin-postback-pending.json'));
    expect(pending.status).toBe(200);
    const { transaction_id } = await pending.json();

    const approved = await server.signedPostback(ROUTE, fixture('awin-postback-approved.json'));
    expect(approved.status).toBe(200);
    const answer = await approved.json();
    expect(answer.transaction_id).toBe(transaction_id);
    expect(answer.duplicate).toBe(false);

    const row = await server.database.prisma.transaction.findUniqueOrThrow({ where: { id: transaction_id } });
    expect(row.status).toBe('CONFIRMED');
    expect(row.grossAmount.toFixed(6)).toBe('1.640000');
    expect(row.netAmount.toFixed(6)).toBe('1.148000');
    expect(row.currency).toBe('GBP');
    expect(row.confirmedAt).not.toBeNull();
  });

  it('takes a numeric domain id in clickRef', async () => {
    const body = JSON.stringify({ clickRef: String(domainId), transactionId: 'numeric-ref', commission: '2.00', status: 'PENDING' });
    const response = await server.signedPostback(ROUTE, body);
    expect(response.status).toBe(200);
    const row = await server.database.prisma.transaction.findUniqueOrThrow({ where: { id: (await response.json()).transaction_id } });
    expect(row.domainId).toBe(domainId);
    expect(row.currency).toBe('CHF');
  });

  it('reverses a decline after approval', async () => {
    const approve = JSON.stringify({ clickRef: 'shop.example', transactionId: 'decline-1', commission: '20.00', status: 'approved' });
    expect((await server.signedPostback(ROUTE, approve)).status).toBe(200);
    const decline = JSON.stringify({ clickRef: 'shop.example', transactionId: 'decline-1', commission: '20.00', status: 'declined' });
    const response = await server.signedPostback(ROUTE, decline);
    expect(response.status).toBe(200);
    const row = await server.database.prisma.transaction.findUniqueOrThrow({ where: { id: (await response.json()).transaction_id } });
    expect(row.status).toBe('REVERSED');
  });

  it('uses the X-Awin-Signature header', async () => {
    const body = fixture('awin-postback-pending.json');
    const response = await server.postback(ROUTE, body, { 'x-webhook-signature': hexSignature(body) });
    expect(response.status).toBe(401);
    expect((await response.json()).detail).toContain('x-awin-signature');
  });

  it.each([
    ['commission', { clickRef: 'shop.example', transactionId: 'n1', commission: '-5.00' }],
    ['commission', { clickRef: 'shop.example', transactionId: 'n2', commission: 'five' }],
    ['status', { clickRef: 'shop.example', transactionId: 'n3', commission: '1', status: 'confirmed' }],
    ['transactionId', { clickRef: 'shop.example', commission: '1' }],
    ['clickRef', { transactionId: 'n4', commission: '1' }],
    ['commissionCurrency', { clickRef: 'shop.example', transactionId: 'n5', commission: '1', commissionCurrency: 'POUND' }],
    ['transactionType', { clickRef: 'shop.example', transactionId: 'n6', commission: '1', transactionType: 'click' }],
  ])('rejects an invalid %s with 422', async (field, payload) => {
    const before = await server.database.prisma.transaction.count();
    const response = await server.signedPostback(ROUTE, JSON.stringify(payload));
    expect(response.status).toBe(422);
    expect((await response.json()).errors[0].field).toBe(field);
    expect(await server.database.prisma.transaction.count()).toBe(before);
  });
});

describe('standard webhooks signature', () => {
  const body = JSON.stringify({ event_type: 'click', domain: 'shop.example', click_id: 'sw-click-1' });
  const nowSeconds = () => Math.floor(server.clock.now.getTime() / 1000);

  it('accepts a signed delivery and treats a replay as a duplicate', async () => {
    const headers = standardWebhookHeaders('msg_1', body, nowSeconds());
    const first = await server.postback('/yield-webhooks/demo', body, headers);
    expect(first.status).toBe(200);
    const firstAnswer = await first.json();

    const replay = await server.postback('/yield-webhooks/demo', body, headers);
    expect(replay.status).toBe(200);
    const replayAnswer = await replay.json();
    expect(replayAnswer.duplicate).toBe(true);
    expect(replayAnswer.transaction_id).toBe(firstAnswer.transaction_id);
  });

  it('accepts a whsec_ secret as base64 bytes', async () => {
    const key = Buffer.from('rotation-key-bytes');
    const rotated = await startTestServer({ YIELD_WEBHOOK_SECRET_DEMO: `whsec_${key.toString('base64')}` });
    try {
      await rotated.seed({ domains: ['shop.example'] });
      const timestamp = Math.floor(Date.now() / 1000);
      const signature = createHmac('sha256', key).update(`msg_b64.${timestamp}.${body}`).digest('base64');
      const response = await rotated.postback('/yield-webhooks/demo', body, {
        'webhook-id': 'msg_b64',
        'webhook-timestamp': String(timestamp),
        'webhook-signature': `v1,${signature}`,
      });
      expect(response.status).toBe(200);
    } finally {
      await rotated.close();
    }
  });

  it.each([
    ['six minutes old', -360],
    ['six minutes ahead', 360],
  ])('rejects a timestamp %s', async (_label, offset) => {
    const headers = standardWebhookHeaders(`msg_time_${offset}`, body, nowSeconds() + offset);
    const response = await server.postback('/yield-webhooks/demo', body, headers);
    expect(response.status).toBe(401);
    expect((await response.json()).detail).toMatch(/tolerance/);
  });

  it('follows the clock the server is given', async () => {
    const timestamp = nowSeconds() - 600;
    const headers = standardWebhookHeaders('msg_clock', JSON.stringify({ event_type: 'click', domain: 'shop.example', click_id: 'clock' }), timestamp);
    server.clock.now = new Date(timestamp * 1000 + 60_000);
    try {
      const response = await server.postback('/yield-webhooks/demo', JSON.stringify({ event_type: 'click', domain: 'shop.example', click_id: 'clock' }), headers);
      expect(response.status).toBe(200);
    } finally {
      server.clock.now = new Date();
    }
  });

  it('rejects incomplete headers and a wrong secret', async () => {
    const incomplete = await server.postback('/yield-webhooks/demo', body, { 'webhook-id': 'msg_x', 'webhook-signature': 'v1,abc' });
    expect(incomplete.status).toBe(401);
    const wrong = await server.postback('/yield-webhooks/demo', body, standardWebhookHeaders('msg_wrong', body, nowSeconds(), 'other-secret'));
    expect(wrong.status).toBe(401);
  });
});
