import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

import { ipRangeSet, plainAddress } from '../ip-ranges.js';
import { acceptedSchemes, hashUrlToken, type AuthScheme } from '../ledger/partner-settings.js';
import type { PostbackPartner } from '../ledger/partners.js';
import { WebhookError } from './problem.js';
import { verifyHexSignature, verifyStandardWebhook } from './signature.js';

/** The credentials of a postback request, read from its headers and URL. */
export interface PostbackCredentials {
  /** The route's hex HMAC header value, and the header's name for messages. */
  hexSignature: string | undefined;
  hexHeaderName: string;
  webhookId: string | undefined;
  webhookTimestamp: string | undefined;
  webhookSignature: string | undefined;
  /** The URL token from the path or the `token` query parameter. */
  urlToken: string | undefined;
  /** False for GET postbacks: with no body there is nothing a signature could cover. */
  signable: boolean;
}

export type Authenticated = { scheme: 'HMAC_HEX' } | { scheme: 'STANDARD_WEBHOOKS'; webhookId: string } | { scheme: 'URL_TOKEN' };

const SIGNATURE_SCHEMES: readonly AuthScheme[] = ['STANDARD_WEBHOOKS', 'HMAC_HEX'];

/**
 * Authenticates a postback with the scheme whose credentials it carries,
 * among those the partner accepts. Throws a 503 WebhookError when that
 * scheme has no secret or token configured, and a 401 when the credentials
 * are missing, of a scheme the partner does not accept, or wrong.
 */
export function authenticate(
  partner: PostbackPartner,
  credentials: PostbackCredentials,
  body: Uint8Array,
  signingSecrets: readonly string[],
  now: Date,
): Authenticated {
  const usable = acceptedSchemes(partner).filter((scheme) => credentials.signable || !SIGNATURE_SCHEMES.includes(scheme));
  const offered = offeredSchemes(credentials);
  const scheme = offered.find((candidate) => usable.includes(candidate));

  if (!scheme) {
    if (offered.length > 0) {
      throw new WebhookError(401, `Partner "${partner.slug}" does not accept ${SCHEME_LABELS[offered[0]!]} here; ${howToAuthenticate(usable, credentials)}`);
    }
    if (usable.length === 0) throw new WebhookError(401, `Partner "${partner.slug}" has no scheme for this route; ${howToAuthenticate(usable, credentials)}`);
    if (!usable.some((candidate) => isConfigured(candidate, partner, signingSecrets))) throw notConfigured(usable[0]!, partner);

    const prefix = usable.every((candidate) => SIGNATURE_SCHEMES.includes(candidate)) ? 'Signature missing' : 'Credentials missing';
    throw new WebhookError(401, `${prefix}: ${howToAuthenticate(usable, credentials)}`);
  }
  if (!isConfigured(scheme, partner, signingSecrets)) throw notConfigured(scheme, partner);

  switch (scheme) {
    case 'STANDARD_WEBHOOKS':
      return { scheme, webhookId: verifyStandardWebhook(credentials, body, signingSecrets, now) };
    case 'HMAC_HEX':
      verifyHexSignature(credentials.hexSignature!, credentials.hexHeaderName, body, signingSecrets);
      return { scheme };
    case 'URL_TOKEN':
      verifyUrlToken(credentials.urlToken!, partner.urlTokens);
      return { scheme };
  }
}

const SCHEME_LABELS: Record<AuthScheme, string> = {
  STANDARD_WEBHOOKS: 'Standard Webhooks signatures',
  HMAC_HEX: 'hex HMAC signatures',
  URL_TOKEN: 'URL tokens',
};

function offeredSchemes(credentials: PostbackCredentials): AuthScheme[] {
  const offered: AuthScheme[] = [];
  if (credentials.webhookId !== undefined || credentials.webhookTimestamp !== undefined || credentials.webhookSignature !== undefined) {
    offered.push('STANDARD_WEBHOOKS');
  }
  if (credentials.hexSignature !== undefined) offered.push('HMAC_HEX');
  if (credentials.urlToken !== undefined) offered.push('URL_TOKEN');
  return offered;
}

function howToAuthenticate(usable: readonly AuthScheme[], credentials: PostbackCredentials): string {
  // Partners accept at least one scheme, so only GET routes, which cannot be signed, leave none.
  if (usable.length === 0) return "GET postbacks cannot be signed, so they need a URL token; an admin adds URL_TOKEN to the partner's authSchemes.";
  const ways: Record<AuthScheme, string> = {
    HMAC_HEX: `${credentials.hexHeaderName} with the hex HMAC-SHA256 of the raw body`,
    STANDARD_WEBHOOKS: 'the Standard Webhooks headers',
    URL_TOKEN: "the partner's URL token as the `token` query parameter or the last path segment",
  };
  const order: readonly AuthScheme[] = ['HMAC_HEX', 'STANDARD_WEBHOOKS', 'URL_TOKEN'];
  return `send ${order.filter((scheme) => usable.includes(scheme)).map((scheme) => ways[scheme]).join(', or ')}.`;
}

function isConfigured(scheme: AuthScheme, partner: PostbackPartner, signingSecrets: readonly string[]): boolean {
  return scheme === 'URL_TOKEN' ? partner.urlTokens.length > 0 : signingSecrets.length > 0;
}

function notConfigured(scheme: AuthScheme, partner: PostbackPartner): WebhookError {
  if (scheme === 'URL_TOKEN') {
    return new WebhookError(503, `No URL token is configured for partner "${partner.slug}"; an admin sets urlTokens with upsertPartner.`);
  }
  const variable = `YIELD_WEBHOOK_SECRET_${partner.slug.toUpperCase().replaceAll('-', '_')}`;
  return new WebhookError(503, `No signing secret is configured for partner "${partner.slug}"; the operator sets ${variable} or YIELD_WEBHOOK_SECRET.`);
}

/** Compares the token's SHA-256 with every stored hash in constant time, without stopping at a match. */
function verifyUrlToken(token: string, stored: readonly { tokenSha256: string }[]): void {
  const received = Buffer.from(hashUrlToken(token), 'hex');
  let matched = false;
  for (const { tokenSha256 } of stored) {
    matched = timingSafeEqual(received, Buffer.from(tokenSha256, 'hex')) || matched;
  }
  if (!matched) throw new WebhookError(401, 'The URL token is not valid for this partner; check the postback URL configured at the partner.');
}

/**
 * Returns the address a postback comes from: the TCP peer, unless the peer
 * is a trusted proxy. Then it is the right-most X-Forwarded-For entry that
 * is not a trusted proxy, because entries left of it may be forged by the
 * client. Returns undefined when that entry is not an IP address.
 */
export function sourceAddress(peer: string | undefined, forwardedFor: string | null, trustedProxies: readonly string[]): string | undefined {
  if (peer === undefined) return undefined;
  const isTrusted = ipRangeSet(trustedProxies);
  if (!isTrusted(peer) || !forwardedFor) return plainAddress(peer);

  const hops = forwardedFor.split(',').map((hop) => plainAddress(hop.trim()));
  for (let index = hops.length - 1; index >= 0; index--) {
    const hop = hops[index]!;
    if (isIP(hop) === 0) return undefined;
    if (!isTrusted(hop) || index === 0) return hop;
  }
  return plainAddress(peer);
}

/**
 * Checks the postback's source address against the partner's allowlist;
 * an empty list allows every address. Throws a 403 WebhookError otherwise.
 */
export function checkSourceIp(partner: Pick<PostbackPartner, 'slug' | 'allowedSourceIps'>, address: string | undefined): void {
  if (partner.allowedSourceIps.length === 0) return;
  if (address !== undefined && ipRangeSet(partner.allowedSourceIps)(address)) return;
  throw new WebhookError(403, `Source address ${address ?? 'unknown'} is not in the allowed source IPs of partner "${partner.slug}".`);
}
