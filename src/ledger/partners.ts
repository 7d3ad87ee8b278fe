import type { Partner } from '../generated/prisma/client.js';
import type { Db } from './database.js';
import { NotFoundError, ValidationError } from './errors.js';
import { AmountFormatError, parseRevenueShare } from './money.js';

export const PARTNER_SLUG = /^[a-z0-9][a-z0-9_-]{0,63}$/;

// Literal admin routes under /yield-webhooks that a partner slug would shadow.
const RESERVED_SLUGS = new Set(['batch-import', 'confirm']);

export interface PartnerInput {
  slug: string;
  name: string;
  active?: boolean;
  revenueShare?: string;
}

/** Creates or updates a partner, keyed by slug. */
export async function upsertPartner(db: Db, input: PartnerInput): Promise<Partner> {
  const slug = input.slug.trim();
  if (!PARTNER_SLUG.test(slug)) {
    throw new ValidationError('slug', `slug "${slug}" is invalid: use 1 to 64 characters a-z, 0-9, "_" or "-", starting with a letter or digit`);
  }
  if (RESERVED_SLUGS.has(slug)) {
    throw new ValidationError('slug', `slug "${slug}" is reserved for an admin route; choose another slug`);
  }
  const name = input.name.trim();
  if (name === '' || name.length > 200) throw new ValidationError('name', 'name must be 1 to 200 characters long');

  let revenueShare: string | undefined;
  if (input.revenueShare !== undefined) {
    try {
      revenueShare = parseRevenueShare(input.revenueShare);
    } catch (error) {
      if (error instanceof AmountFormatError) throw new ValidationError('revenueShare', `revenueShare ${error.message}`);
      throw error;
    }
  }

  const fields = { name, active: input.active, revenueShare };
  return db.partner.upsert({ where: { slug }, create: { slug, ...fields }, update: fields });
}

/** Finds an active partner by slug, or throws NotFoundError. */
export async function findActivePartner(db: Db, slug: string): Promise<Partner> {
  const partner = PARTNER_SLUG.test(slug) ? await db.partner.findUnique({ where: { slug } }) : null;
  if (!partner) throw new NotFoundError(`Partner "${slug.slice(0, 64)}" is not known; an admin adds it with upsertPartner.`);
  if (!partner.active) throw new NotFoundError(`Partner "${slug}" is inactive, so it takes no postbacks.`);
  return partner;
}
