import type { Partner, PartnerQueryMapping } from '../generated/prisma/client.js';
import { TRANSACTION_OPTIONS, type Db } from './database.js';
import { NotFoundError, ValidationError } from './errors.js';
import { AmountFormatError, parseRevenueShare } from './money.js';
import { toSettingsRows, type PartnerSettingsInput } from './partner-settings.js';

export const PARTNER_SLUG = /^[a-z0-9][a-z0-9_-]{0,63}$/;

// Literal admin routes under /yield-webhooks that a partner slug would shadow.
const RESERVED_SLUGS = new Set(['batch-import', 'confirm']);

export interface PartnerInput extends PartnerSettingsInput {
  slug: string;
  name: string;
  active?: boolean;
  revenueShare?: string;
}

/** A partner with what its postbacks are checked and read with. */
export type PostbackPartner = Partner & { urlTokens: { tokenSha256: string }[]; queryMapping: PartnerQueryMapping | null };

/** Creates or updates a partner, keyed by slug, with its settings in one database transaction. */
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

  const settings = toSettingsRows(input);
  const fields = { name, active: input.active, revenueShare, ...settings.columns };
  return db.$transaction(async (tx) => {
    const partner = await tx.partner.upsert({ where: { slug }, create: { slug, ...fields }, update: fields });

    if (settings.tokenHashes !== undefined) {
      await tx.partnerUrlToken.deleteMany({ where: { partnerId: partner.id, tokenSha256: { notIn: settings.tokenHashes } } });
      await tx.partnerUrlToken.createMany({
        data: settings.tokenHashes.map((tokenSha256) => ({ partnerId: partner.id, tokenSha256 })),
        skipDuplicates: true,
      });
    }
    if (settings.queryMapping === null) {
      await tx.partnerQueryMapping.deleteMany({ where: { partnerId: partner.id } });
    } else if (settings.queryMapping !== undefined) {
      const mapping = settings.queryMapping;
      await tx.partnerQueryMapping.upsert({ where: { partnerId: partner.id }, create: { partnerId: partner.id, ...mapping }, update: mapping });
    }
    return partner;
  }, TRANSACTION_OPTIONS);
}

/** Finds an active partner by slug with its URL token hashes and GET mapping, or throws NotFoundError. */
export async function findActivePartner(db: Db, slug: string): Promise<PostbackPartner> {
  const partner = PARTNER_SLUG.test(slug)
    ? await db.partner.findUnique({ where: { slug }, include: { urlTokens: { select: { tokenSha256: true } }, queryMapping: true } })
    : null;
  if (!partner) throw new NotFoundError(`Partner "${slug.slice(0, 64)}" is not known; an admin adds it with upsertPartner.`);
  if (!partner.active) throw new NotFoundError(`Partner "${slug}" is inactive, so it takes no postbacks.`);
  return partner;
}
