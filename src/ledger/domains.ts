import type { DomainStatus, YieldDomain } from '../generated/prisma/client.js';
import type { Db } from './database.js';
import { NotFoundError, ValidationError } from './errors.js';
import { normalizeDomainName } from './domain-name.js';

export interface DomainInput {
  domain: string;
  userId: number;
  status?: DomainStatus;
  activeRoute?: string | null;
}

/** Creates or updates a domain, keyed by its normalized name. */
export async function upsertDomain(db: Db, input: DomainInput): Promise<YieldDomain> {
  const name = normalizeDomainName(input.domain);
  if (!name) throw new ValidationError('domain', `domain "${input.domain.slice(0, 100)}" is not a valid host name such as "shop.example.com"`);
  if (!Number.isInteger(input.userId) || input.userId <= 0) {
    throw new ValidationError('userId', `userId must be a positive integer, got ${input.userId}`);
  }
  if (input.activeRoute && input.activeRoute.length > 2048) {
    throw new ValidationError('activeRoute', 'activeRoute must be at most 2048 characters long');
  }

  const fields = { ownerUserId: input.userId, status: input.status, activeRoute: input.activeRoute };
  return db.yieldDomain.upsert({ where: { name }, create: { name, ...fields }, update: fields });
}

/** Normalizes a domain name from a query argument; an invalid one matches nothing. */
export function domainNameForLookup(input: string): string {
  return normalizeDomainName(input) ?? input.trim().toLowerCase();
}

/** Sets a domain's status; a domain that is not ACTIVE takes no new events. */
export async function setDomainStatus(db: Db, domain: string, status: DomainStatus): Promise<YieldDomain> {
  const name = normalizeDomainName(domain);
  if (!name) throw new ValidationError('domain', `domain "${domain.slice(0, 100)}" is not a valid host name such as "shop.example.com"`);

  const existing = await db.yieldDomain.findUnique({ where: { name }, select: { id: true } });
  if (!existing) throw new NotFoundError(`Domain "${name}" is not known to the ledger; add it with upsertDomain.`);
  return db.yieldDomain.update({ where: { name }, data: { status } });
}
