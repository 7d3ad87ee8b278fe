import type { Db } from './database.js';
import { PARTNER_SLUG } from './partners.js';
import { toStorableText } from './storable-text.js';

export interface RejectedDelivery {
  partnerSlug: string | undefined;
  route: string;
  httpStatus: number;
  outcome: string;
  reason: string;
  bodySha256: string | null;
  webhookId?: string;
  requestId?: string;
}

/**
 * Logs a webhook request that recorded nothing. Accepted requests are
 * logged by recordEvent inside the ledger's own database transaction.
 */
export async function logRejectedDelivery(db: Db, delivery: RejectedDelivery): Promise<void> {
  // Only a well-formed slug can name a partner; anything else may not even be valid query text.
  const partner = delivery.partnerSlug && PARTNER_SLUG.test(delivery.partnerSlug)
    ? await db.partner.findUnique({ where: { slug: delivery.partnerSlug }, select: { id: true } })
    : null;
  await db.webhookDelivery.create({
    data: {
      partnerId: partner?.id,
      // The slug comes from the URL path and the reason may quote the body, so both may hold NUL characters.
      partnerSlug: delivery.partnerSlug === undefined ? undefined : toStorableText(delivery.partnerSlug.slice(0, 64)),
      route: delivery.route.slice(0, 200),
      httpStatus: delivery.httpStatus,
      outcome: delivery.outcome,
      reason: toStorableText(delivery.reason.slice(0, 500)),
      bodySha256: delivery.bodySha256,
      webhookId: delivery.webhookId?.slice(0, 256),
      requestId: delivery.requestId?.slice(0, 128),
    },
  });
}
