import { createHmac } from 'node:crypto';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { hexSignature, SECRET, startTestServer, type TestServer } from '../support/test-server.js';

const OLD_SECRET = 'whsec_' + Buffer.from('old signing key bytes').toString('base64');
const NEW_SECRET = 'whsec_' + Buffer.from('new signing key bytes').toString('base64');
const OLD_TOKEN = 'old-url-token-5d1f3b7a9c2e4f6a8b0d1c3e5f7a9b1d';
const NEW_TOKEN = 'new-url-token-8e2a4c6e8a0c2e4a6c8e0a2c4e6a8c0e';

let server: TestServer;

const UPSERT = `mutation ($input: UpsertPartnerInput!) {
  upsertPartner(input: $input) {
    __typename
    ... on MutationUpsertPartnerSuccess { data { slug authSchemes allowedSourceIps rateLimit urlTokens { fingerprint } } }
    ... on ValidationError { field message }
  }
}`;

async function upsertPartner(input: Record<string, unknown>) {
  const result = await server.graphql(UPSERT, { input });
  return result.body.data.upsertPartner;
}

beforeAll(async () => {
  server = await startTestServer({ YIELD_WEBHOOK_SECRET_SIGNER: `${OLD_SECRET},${NEW_SECRET}` });
  await server.seed({ partner: 'signer', domains: ['garden-tools.example'] });
  expect((await upsertPartner({ slug: 'signer', name: 'Signer', authSchemes: ['STANDARD_WEBHOOKS'] })).__typename).toBe('MutationUpsertPartnerSuccess');
  expect((await upsertPartner({ slug: 'tokens', name: 'Tokens', authSchemes: ['URL_TOKEN'], urlTokens: [OLD_TOKEN, NEW_TOKEN] })).__typename).toBe(
    'MutationUpsertPartnerSuccess',
  );
});

afterAll(async () => {
  expect(await server.totalsMismatches()).toEqual([]);
  await server.close();
});

function sign(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

function nowSeconds(): number {
  return Math.floor(server.clock.now.getTime() / 1000);
}

function sale(transactionId: string, amount = '10.00'): string {
  return JSON.stringify({ event_type: 'sale', domain: 'garden-tools.example', transaction_id: transactionId, amount, currency: 'EUR' });
}

async function deliveryFor(requestId: string) {
  return server.database.prisma.webhookDelivery.findFirstOrThrow({ where: { requestId } });
}

describe('standard webhooks with rotating secrets', () => {
  it('accepts a delivery signed with the old and the new secret', async () => {
    const body = sale('sw-rotation-1');
    const timestamp = nowSeconds();
    const response = await server.postback('/yield-webhooks/signer', body, {
      'webhook-id': 'msg_rotation_1',
      'webhook-timestamp': String(timestamp),
      'webhook-signature': `${sign(OLD_SECRET, 'msg_rotation_1', timestamp, body)} ${sign(NEW_SECRET, 'msg_rotation_1', timestamp, body)}`,
    });
    expect(response.status).toBe(200);
    expect((await response.json()).duplicate).toBe(false);
  });

  it.each([
    ['the old secret', OLD_SECRET],
    ['the new secret', NEW_SECRET],
  ])('accepts a delivery signed with %s alone', async (label, secret) => {
    const id = `msg_alone_${label.replaceAll(' ', '_')}`;
    const body = sale(id);
    const timestamp = nowSeconds();
    const response = await server.postback('/yield-webhooks/signer', body, {
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': sign(secret, id, timestamp, body),
    });
    expect(response.status).toBe(200);
  });

  it('changes nothing on a replay inside the window', async () => {
    const body = sale('sw-replay-1', '12.00');
    const timestamp = nowSeconds();
    const headers = { 'webhook-id': 'msg_replay_1', 'webhook-timestamp': String(timestamp), 'webhook-signature': sign(NEW_SECRET, 'msg_replay_1', timestamp, body) };
    const first = await (await server.postback('/yield-webhooks/signer', body, headers)).json();
    const transactions = await server.database.prisma.transaction.count();
    const changes = await server.database.prisma.transactionChange.count();

    const replay = await server.postback('/yield-webhooks/signer', body, headers);
    expect(replay.status).toBe(200);
    const answer = await replay.json();
    expect(answer.duplicate).toBe(true);
    expect(answer.transaction_id).toBe(first.transaction_id);
    expect(await server.database.prisma.transaction.count()).toBe(transactions);
    expect(await server.database.prisma.transactionChange.count()).toBe(changes);
  });

  it('rejects a replay after the window and logs why', async () => {
    const body = sale('sw-replay-2');
    const timestamp = nowSeconds();
    const headers = { 'webhook-id': 'msg_replay_2', 'webhook-timestamp': String(timestamp), 'webhook-signature': sign(NEW_SECRET, 'msg_replay_2', timestamp, body) };
    expect((await server.postback('/yield-webhooks/signer', body, headers)).status).toBe(200);
    const changes = await server.database.prisma.transactionChange.count();

    server.clock.now = new Date((timestamp + 301) * 1000);
    try {
      const replay = await server.postback('/yield-webhooks/signer', body, { ...headers, 'x-request-id': 'late-replay' });
      expect(replay.status).toBe(401);
      expect((await replay.json()).detail).toMatch(/tolerance/);
    } finally {
      server.clock.now = new Date();
    }
    expect(await server.database.prisma.transactionChange.count()).toBe(changes);
    const delivery = await deliveryFor('late-replay');
    expect(delivery.httpStatus).toBe(401);
    expect(delivery.reason).toMatch(/outside the tolerance/);
    expect(delivery.webhookId).toBeNull();
  });

  it('rejects a stale timestamp', async () => {
    const body = sale('sw-stale');
    const timestamp = nowSeconds() - 6 * 60;
    const response = await server.postback('/yield-webhooks/signer', body, {
      'webhook-id': 'msg_stale',
      'webhook-timestamp': String(timestamp),
      'webhook-signature': sign(NEW_SECRET, 'msg_stale', timestamp, body),
      'x-request-id': 'stale-timestamp',
    });
    expect(response.status).toBe(401);
    expect((await deliveryFor('stale-timestamp')).reason).toMatch(/webhook-timestamp is outside the tolerance/);
    expect(await server.database.prisma.transaction.count({ where: { partnerTransactionId: 'sw-stale' } })).toBe(0);
  });

  it('rejects a retired secret and a hex signature', async () => {
    const body = sale('sw-retired');
    const timestamp = nowSeconds();
    const retired = await server.postback('/yield-webhooks/signer', body, {
      'webhook-id': 'msg_retired',
      'webhook-timestamp': String(timestamp),
      'webhook-signature': sign('whsec_' + Buffer.from('retired key').toString('base64'), 'msg_retired', timestamp, body),
    });
    expect(retired.status).toBe(401);

    const hex = await server.postback('/yield-webhooks/signer', body, { 'x-webhook-signature': hexSignature(body, OLD_SECRET), 'x-request-id': 'hex-for-sw' });
    expect(hex.status).toBe(401);
    expect((await hex.json()).detail).toBe('Partner "signer" does not accept hex HMAC signatures here; send the Standard Webhooks headers.');
    expect((await deliveryFor('hex-for-sw')).reason).toContain('does not accept hex HMAC');
  });
});

describe('url tokens', () => {
  it.each([
    ['the query', (token: string) => `/yield-webhooks/tokens?token=${token}`, OLD_TOKEN],
    ['the path', (token: string) => `/yield-webhooks/tokens/awin-push/${token}`, NEW_TOKEN],
  ])('accepts a live token in %s', async (_label, path, token) => {
    const awinPush = path(token).includes('awin-push');
    const response = awinPush
      ? await fetch(`${server.url}${path(token)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ AwinTransactionPush: JSON.stringify({ transactionId: 'token-push', clickRef: 'garden-tools.example', commission: '1.00' }) }),
        })
      : await server.postback(path(token), sale('token-query'));
    expect(response.status).toBe(200);
  });

  it.each([
    ['a missing token', '/yield-webhooks/tokens', 401, /^Credentials missing: send the partner's URL token/],
    ['a wrong token', `/yield-webhooks/tokens?token=${'x'.repeat(40)}`, 401, /URL token is not valid/],
    ['a signature instead of a token', '/yield-webhooks/tokens', 401, /does not accept hex HMAC signatures/],
  ])('rejects %s and logs the reason', async (label, path, status, reason) => {
    const body = sale(`token-${label.replaceAll(' ', '-')}`);
    const requestId = `token-${label.replaceAll(' ', '-')}`;
    const headers: Record<string, string> = { 'x-request-id': requestId };
    if (label.includes('signature')) headers['x-webhook-signature'] = hexSignature(body);

    const response = await server.postback(path, body, headers);
    expect(response.status).toBe(status);
    expect((await response.json()).detail).toMatch(reason);
    const delivery = await deliveryFor(requestId);
    expect(delivery.httpStatus).toBe(status);
    expect(delivery.reason).toMatch(reason);
    expect(delivery.partnerSlug).toBe('tokens');
  });

  it('answers 503 while the partner has no token', async () => {
    await upsertPartner({ slug: 'tokenless', name: 'Tokenless', authSchemes: ['URL_TOKEN'] });
    const response = await server.postback(`/yield-webhooks/tokenless?token=${OLD_TOKEN}`, sale('tokenless'));
    expect(response.status).toBe(503);
    expect((await response.json()).detail).toContain('urlTokens');
  });

  it('drops a rotated-out token', async () => {
    await upsertPartner({ slug: 'rotated', name: 'Rotated', authSchemes: ['URL_TOKEN'], urlTokens: [OLD_TOKEN, NEW_TOKEN] });
    const data = (await upsertPartner({ slug: 'rotated', name: 'Rotated', urlTokens: [NEW_TOKEN] })).data;
    expect(data.urlTokens).toHaveLength(1);

    expect((await server.postback(`/yield-webhooks/rotated?token=${OLD_TOKEN}`, sale('rotated-old'))).status).toBe(401);
    expect((await server.postback(`/yield-webhooks/rotated?token=${NEW_TOKEN}`, sale('rotated-new'))).status).toBe(200);
  });

  it('rejects a GET postback for a partner that only signs', async () => {
    const response = await fetch(`${server.url}/yield-webhooks/signer/awin-push?transactionId=1&clickRef=garden-tools.example&commission=1`);
    expect(response.status).toBe(401);
    expect((await response.json()).detail).toContain('GET postbacks cannot be signed');
  });
});

describe('source ip allowlist', () => {
  it('answers 403 for an address outside the list', async () => {
    await upsertPartner({ slug: 'fenced', name: 'Fenced', authSchemes: ['URL_TOKEN'], urlTokens: [OLD_TOKEN], allowedSourceIps: ['203.0.113.0/24', '2001:db8::/32'] });
    const response = await server.postback(`/yield-webhooks/fenced?token=${OLD_TOKEN}`, sale('fenced-1'), { 'x-request-id': 'fenced-out' });
    expect(response.status).toBe(403);
    expect((await response.json()).detail).toBe('Source address 127.0.0.1 is not in the allowed source IPs of partner "fenced".');
    expect((await deliveryFor('fenced-out')).httpStatus).toBe(403);
  });

  it('accepts an address inside the list', async () => {
    const data = (await upsertPartner({ slug: 'fenced', name: 'Fenced', allowedSourceIps: ['203.0.113.0/24', '127.0.0.0/8'] })).data;
    expect(data.allowedSourceIps).toEqual(['203.0.113.0/24', '127.0.0.0/8']);
    const response = await server.postback(`/yield-webhooks/fenced?token=${OLD_TOKEN}`, sale('fenced-2'));
    expect(response.status).toBe(200);
  });
});

describe('source address behind a proxy', () => {
  it('ignores X-Forwarded-For from an untrusted peer', async () => {
    await upsertPartner({ slug: 'proxied', name: 'Proxied', authSchemes: ['URL_TOKEN'], urlTokens: [OLD_TOKEN], allowedSourceIps: ['203.0.113.0/24'] });
    const response = await server.postback(`/yield-webhooks/proxied?token=${OLD_TOKEN}`, sale('proxied-1'), { 'x-forwarded-for': '203.0.113.9' });
    expect(response.status).toBe(403);
  });

  it('believes X-Forwarded-For from a trusted proxy', async () => {
    const behindProxy = await startTestServer({ WEBHOOK_TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/8' });
    try {
      await behindProxy.seed({ partner: 'proxied', domains: ['garden-tools.example'] });
      await behindProxy.graphql(UPSERT, {
        input: { slug: 'proxied', name: 'Proxied', authSchemes: ['URL_TOKEN'], urlTokens: [OLD_TOKEN], allowedSourceIps: ['203.0.113.0/24'] },
      });
      const path = `/yield-webhooks/proxied?token=${OLD_TOKEN}`;

      const viaTwoProxies = await behindProxy.postback(path, sale('proxied-2'), { 'x-forwarded-for': '203.0.113.9, 10.1.2.3' });
      expect(viaTwoProxies.status).toBe(200);
      const forgedLeftEntry = await behindProxy.postback(path, sale('proxied-3'), { 'x-forwarded-for': '203.0.113.9, 198.51.100.4' });
      expect(forgedLeftEntry.status).toBe(403);
      expect((await forgedLeftEntry.json()).detail).toContain('198.51.100.4');
      const garbage = await behindProxy.postback(path, sale('proxied-4'), { 'x-forwarded-for': 'unknown' });
      expect(garbage.status).toBe(403);
      expect(await behindProxy.totalsMismatches()).toEqual([]);
    } finally {
      await behindProxy.close();
    }
  });
});

describe('partner settings through graphql', () => {
  it('returns the rate limit to the default with null', async () => {
    expect((await upsertPartner({ slug: 'tokens', name: 'Tokens', rateLimit: 5 })).data.rateLimit).toBe(5);
    expect((await upsertPartner({ slug: 'tokens', name: 'Tokens' })).data.rateLimit).toBe(5);
    expect((await upsertPartner({ slug: 'tokens', name: 'Tokens', rateLimit: null })).data.rateLimit).toBeNull();
  });

  it('shows token fingerprints, never tokens', async () => {
    const data = (await upsertPartner({ slug: 'tokens', name: 'Tokens' })).data;
    expect(data.authSchemes).toEqual(['URL_TOKEN']);
    expect(data.urlTokens.map((token: { fingerprint: string }) => token.fingerprint)).toHaveLength(2);
    expect(JSON.stringify(data)).not.toContain(OLD_TOKEN);
    expect(JSON.stringify(data)).not.toContain(NEW_TOKEN);

    const stored = JSON.stringify(await server.database.prisma.partnerUrlToken.findMany());
    expect(stored).not.toContain(OLD_TOKEN);
  });

  it.each([
    ['authSchemes', { authSchemes: [] }],
    ['urlTokens', { urlTokens: ['too-short-secret'] }],
    ['urlTokens', { urlTokens: [`${'a'.repeat(40)} with spaces`] }],
    ['allowedSourceIps', { allowedSourceIps: ['300.1.1.1'] }],
    ['allowedSourceIps', { allowedSourceIps: ['10.0.0.0/33'] }],
    ['rateLimit', { rateLimit: 0 }],
    ['rateLimitWindowSeconds', { rateLimitWindowSeconds: 86_401 }],
    ['queryMapping.transactionId', { queryMapping: { transactionId: 'order id', domain: 'adv1' } }],
    ['queryMapping.domain', { queryMapping: { transactionId: 'order_id', domain: 'token' } }],
    ['queryMapping', { queryMapping: { transactionId: 'order_id', domain: 'order_id' } }],
    ['queryMapping.status', { queryMapping: { transactionId: 'order_id', domain: 'adv1', statusValues: [{ value: 'ok', status: 'CONFIRMED' }] } }],
    [
      'queryMapping.statusValues',
      { queryMapping: { transactionId: 'order_id', domain: 'adv1', status: 's', statusValues: [{ value: 'OK', status: 'CONFIRMED' }, { value: 'ok', status: 'PENDING' }] } },
    ],
  ])('rejects an invalid %s naming it', async (field, settings) => {
    const result = await upsertPartner({ slug: 'validated', name: 'Validated', ...settings });
    expect(result.__typename).toBe('ValidationError');
    expect(result.field).toBe(field);
    expect(result.message).not.toContain('too-short-secret');
    expect(await server.database.prisma.partner.count({ where: { slug: 'validated' } })).toBe(0);
  });

  it('keeps the shared secret working for partners with default settings', async () => {
    await server.seed({ partner: 'plain', domains: [] });
    const body = sale('plain-1');
    const response = await server.postback('/yield-webhooks/plain', body, { 'x-webhook-signature': hexSignature(body, SECRET) });
    expect(response.status).toBe(200);
  });
});
