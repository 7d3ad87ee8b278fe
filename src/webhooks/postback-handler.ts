import { createHash } from 'node:crypto';

import type { Logger } from 'pino';

import { webhookSecretsFor, type Config } from '../config.js';
import type { Db } from '../ledger/database.js';
import { logRejectedDelivery } from '../ledger/deliveries.js';
import { findActivePartner } from '../ledger/partners.js';
import type { Metrics } from '../metrics.js';
import { recordEvent, type LedgerEvent } from '../ledger/record-event.js';
import { parseJsonObject, type JsonObject } from './json-body.js';
import { problemResponse, toProblem, WebhookError } from './problem.js';
import { readRawBody } from './raw-body.js';
import { verifySignature } from './signature.js';

export interface PostbackDependencies {
  config: Config;
  db: Db;
  now: () => Date;
  metrics: Pick<Metrics, 'postbacks'>;
}

export interface PostbackFormat {
  /** The route as logged in the delivery log, e.g. "/yield-webhooks/{partnerSlug}". */
  route: string;
  /** The header that carries the hex HMAC for this route. */
  signatureHeader: string;
  parse(body: JsonObject): LedgerEvent;
}

export interface PostbackRequest {
  request: Request;
  partnerSlug: string;
  requestId: string;
  log: Logger;
}

/**
 * Handles one postback: body size, content type, partner, secret,
 * signature, JSON, fields, then the ledger. Every request ends in the
 * delivery log, accepted or not.
 */
export async function handlePostback(deps: PostbackDependencies, format: PostbackFormat, input: PostbackRequest): Promise<Response> {
  const { request, partnerSlug, requestId, log } = input;
  let bodySha256: string | null = null;
  let webhookId: string | undefined;
  // The metrics label: only slugs of known partners, so a caller cannot add time series.
  let knownPartner = 'unknown';

  try {
    const body = await readRawBody(request, deps.config.webhookBodyLimitBytes);
    bodySha256 = createHash('sha256').update(body).digest('hex');
    checkContentType(request.headers.get('content-type'));

    const partner = await findActivePartner(deps.db, partnerSlug);
    knownPartner = partner.slug;
    const secrets = webhookSecretsFor(deps.config, partner.slug);
    if (secrets.length === 0) {
      const variable = `YIELD_WEBHOOK_SECRET_${partner.slug.toUpperCase().replaceAll('-', '_')}`;
      throw new WebhookError(503, `No signing secret is configured for partner "${partner.slug}"; the operator sets ${variable} or YIELD_WEBHOOK_SECRET.`);
    }

    const verified = verifySignature(
      {
        hexSignature: request.headers.get(format.signatureHeader) ?? undefined,
        hexHeaderName: format.signatureHeader,
        webhookId: request.headers.get('webhook-id') ?? undefined,
        webhookTimestamp: request.headers.get('webhook-timestamp') ?? undefined,
        webhookSignature: request.headers.get('webhook-signature') ?? undefined,
      },
      body,
      secrets,
      deps.now(),
    );
    if (verified.scheme === 'standard-webhooks') webhookId = verified.webhookId;

    const event = format.parse(parseJsonObject(body));
    const outcome = await recordEvent(
      deps.db,
      partner,
      event,
      { source: 'WEBHOOK', actor: partner.slug },
      { route: format.route, bodySha256, webhookId, requestId },
    );

    log.info({ partner: partner.slug, transactionId: outcome.transactionId, result: outcome.result }, 'postback recorded');
    deps.metrics.postbacks.inc({ partner: partner.slug, route: format.route, outcome: outcome.result, status: '200' });
    return Response.json({
      success: true,
      transaction_id: outcome.transactionId,
      message: outcome.message,
      duplicate: outcome.result === 'duplicate',
    });
  } catch (error) {
    const problem = toProblem(error);
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

function checkContentType(header: string | null): void {
  const mediaType = (header ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType)) return;
  throw new WebhookError(415, `Content-Type must be application/json, got "${(header ?? '').slice(0, 60) || 'none'}".`);
}
