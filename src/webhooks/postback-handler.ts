import { createHash } from 'node:crypto';

import type { Logger } from 'pino';

import { webhookSecretsFor, type Config } from '../config.js';
import type { Db } from '../ledger/database.js';
import { logRejectedDelivery } from '../ledger/deliveries.js';
import { TOKEN_PARAMETER } from '../ledger/partner-settings.js';
import { findActivePartner, type PostbackPartner } from '../ledger/partners.js';
import { countPostback, type RatePolicy } from '../ledger/rate-limits.js';
import type { Metrics } from '../metrics.js';
import { recordEvent, type LedgerEvent } from '../ledger/record-event.js';
import { authenticate, checkSourceIp, sourceAddress } from './authentication.js';
import { formFields, queryFields, queryWithoutToken } from './form-fields.js';
import { parseJsonObject, type JsonObject } from './json-body.js';
import { problemResponse, toProblem, WebhookError } from './problem.js';
import { readRawBody } from './raw-body.js';

export interface PostbackDependencies {
  config: Config;
  db: Db;
  now: () => Date;
  metrics: Pick<Metrics, 'postbacks'>;
}

export interface PostbackFormat {
  /** The route as logged in the delivery log, e.g. "/yield-webhooks/{partnerSlug}". */
  route: string;
  /** The part of the request that carries the fields: a JSON body, a form body, or the query string of a GET. */
  content: 'json' | 'form' | 'query';
  /** The header that carries the hex HMAC for this route. */
  signatureHeader: string;
  parse(fields: JsonObject, partner: PostbackPartner): LedgerEvent;
}

export interface PostbackRequest {
  request: Request;
  partnerSlug: string;
  /** The URL token when the route takes it as a path segment. */
  pathToken?: string;
  /** The TCP peer's address; the source IP check starts from it. */
  remoteAddress: string | undefined;
  requestId: string;
  log: Logger;
}

/**
 * Handles one postback: body size, content type, partner, source IP,
 * secret or token configured, authentication, rate limit, body syntax,
 * fields, then the ledger. Every request ends in the delivery log,
 * accepted or not.
 */
export async function handlePostback(deps: PostbackDependencies, format: PostbackFormat, input: PostbackRequest): Promise<Response> {
  const { request, partnerSlug, requestId, log } = input;
  let bodySha256: string | null = null;
  let webhookId: string | undefined;
  let rateHeaders: Record<string, string> = {};
  // The metrics label: only slugs of known partners, so a caller cannot add time series.
  let knownPartner = 'unknown';

  try {
    const params = new URL(request.url).searchParams;
    const contentType = request.headers.get('content-type');
    const body = format.content === 'query' ? new Uint8Array(0) : await readRawBody(request, deps.config.webhookBodyLimitBytes);
    // A GET postback's query string takes the body's place in the log, without the token.
    bodySha256 = createHash('sha256')
      .update(format.content === 'query' ? queryWithoutToken(params) : body)
      .digest('hex');
    checkContentType(format.content, contentType);

    const partner = await findActivePartner(deps.db, partnerSlug);
    knownPartner = partner.slug;
    checkSourceIp(partner, sourceAddress(input.remoteAddress, request.headers.get('x-forwarded-for'), deps.config.webhookTrustedProxies));
    const authenticated = authenticate(
      partner,
      {
        hexSignature: request.headers.get(format.signatureHeader) ?? undefined,
        hexHeaderName: format.signatureHeader,
        webhookId: request.headers.get('webhook-id') ?? undefined,
        webhookTimestamp: request.headers.get('webhook-timestamp') ?? undefined,
        webhookSignature: request.headers.get('webhook-signature') ?? undefined,
        urlToken: input.pathToken ?? params.get(TOKEN_PARAMETER) ?? undefined,
        signable: format.content !== 'query',
      },
      body,
      webhookSecretsFor(deps.config, partner.slug),
      deps.now(),
    );
    if (authenticated.scheme === 'STANDARD_WEBHOOKS') webhookId = authenticated.webhookId;

    rateHeaders = await checkRateLimit(deps, partner);

    const fields = await readFields(format.content, body, contentType ?? '', params);
    const event = format.parse(fields, partner);
    const outcome = await recordEvent(
      deps.db,
      partner,
      event,
      { source: 'WEBHOOK', actor: partner.slug },
      { route: format.route, bodySha256, webhookId, requestId },
    );

    log.info({ partner: partner.slug, transactionId: outcome.transactionId, result: outcome.result }, 'postback recorded');
    deps.metrics.postbacks.inc({ partner: partner.slug, route: format.route, outcome: outcome.result, status: '200' });
    const response = Response.json({
      success: true,
      transaction_id: outcome.transactionId,
      message: outcome.message,
      duplicate: outcome.result === 'duplicate',
    });
    for (const [name, value] of Object.entries(rateHeaders)) response.headers.set(name, value);
    return response;
  } catch (error) {
    const problem = toProblem(error);
    problem.headers = { ...rateHeaders, ...problem.headers };
    const partnerLabel = partnerSlug.slice(0, 64);
    if (problem.internal) log.error({ err: error, partner: partnerLabel, route: format.route, status: problem.status }, 'postback failed');
    else log.warn({ partner: partnerLabel, route: format.route, status: problem.status, reason: problem.detail }, 'postback rejected');
    deps.metrics.postbacks.inc({
      partner: knownPartner,
      route: format.route,
      outcome: problem.internal ? 'failed' : 'rejected',
      status: String(problem.status),
    });

    try {
      await logRejectedDelivery(deps.db, {
        partnerSlug,
        route: format.route,
        httpStatus: problem.status,
        outcome: 'rejected',
        reason: problem.detail,
        bodySha256,
        webhookId,
        requestId,
      });
    } catch (logError) {
      log.error({ err: logError, partner: partnerSlug }, 'delivery log write failed');
    }
    return problemResponse(problem, requestId);
  }
}

/**
 * Counts the postback against the partner's limit and returns the
 * RateLimit-Policy and RateLimit headers (the structured form of the IETF
 * httpapi RateLimit header fields draft, versions 08 and later). Over the
 * limit it throws a 429 with Retry-After.
 */
async function checkRateLimit(deps: PostbackDependencies, partner: PostbackPartner): Promise<Record<string, string>> {
  const policy: RatePolicy = {
    limit: partner.rateLimit ?? deps.config.webhookRateLimit,
    windowSeconds: partner.rateLimitWindowSeconds ?? deps.config.webhookRateLimitWindowSeconds,
  };
  const { count, resetSeconds } = await countPostback(deps.db, partner.id, policy, deps.now());
  const headers = {
    'ratelimit-policy': `"partner";q=${policy.limit};w=${policy.windowSeconds}`,
    ratelimit: `"partner";r=${Math.max(0, policy.limit - count)};t=${resetSeconds}`,
  };
  if (count <= policy.limit) return headers;

  throw new WebhookError(
    429,
    `Partner "${partner.slug}" sent more than ${policy.limit} postbacks in ${policy.windowSeconds} seconds; retry after ${resetSeconds} seconds.`,
    {},
    { ...headers, 'retry-after': String(resetSeconds) },
  );
}

function checkContentType(content: PostbackFormat['content'], header: string | null): void {
  if (content === 'query') return;
  const mediaType = (header ?? '').split(';')[0]!.trim().toLowerCase();
  const received = (header ?? '').slice(0, 60) || 'none';

  if (content === 'form') {
    if (mediaType === 'application/x-www-form-urlencoded' || mediaType === 'multipart/form-data') return;
    throw new WebhookError(415, `Content-Type must be application/x-www-form-urlencoded or multipart/form-data, got "${received}".`);
  }
  if (mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType)) return;
  throw new WebhookError(415, `Content-Type must be application/json, got "${received}".`);
}

async function readFields(content: PostbackFormat['content'], body: Uint8Array, contentType: string, params: URLSearchParams): Promise<JsonObject> {
  if (content === 'json') return parseJsonObject(body);
  if (content === 'form') return formFields(body, contentType);
  return queryFields(params);
}
