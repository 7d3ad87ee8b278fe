import { timingSafeEqual, createHash } from 'node:crypto';

import { GraphQLError, type GraphQLResolveInfo } from 'graphql';

import type { Config } from '../config.js';
import type { GraphQLContext, Role } from './builder.js';

/**
 * Reads the key from X-Internal-Key or `Authorization: Bearer` and returns
 * the role it grants. Keys are compared as SHA-256 digests in constant time.
 */
export function roleForRequest(headers: Headers, config: Pick<Config, 'internalApiKey' | 'dashboardApiKey'>): Role | null {
  const bearer = /^Bearer\s+(.+)$/i.exec(headers.get('authorization') ?? '')?.[1];
  const key = headers.get('x-internal-key') ?? bearer;
  if (!key) return null;

  if (config.internalApiKey && sameKey(key.trim(), config.internalApiKey)) return 'admin';
  if (config.dashboardApiKey && sameKey(key.trim(), config.dashboardApiKey)) return 'dashboard';
  return null;
}

function sameKey(received: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(received), digest(expected));
}

/** Builds the error scope-auth raises when a field's scopes are not met. */
export function unauthorizedError(_parent: unknown, context: GraphQLContext, info: GraphQLResolveInfo): GraphQLError {
  if (context.role === null) {
    return new GraphQLError('A valid API key is required: send X-Internal-Key or Authorization: Bearer <key>.', {
      extensions: { code: 'UNAUTHENTICATED' },
    });
  }
  if (info.parentType.name === 'Mutation' && !context.adminKeyConfigured) {
    return new GraphQLError('Mutations are disabled because the server has no INTERNAL_API_KEY configured.', {
      extensions: { code: 'FORBIDDEN' },
    });
  }
  return new GraphQLError(`The ${context.role} key may not use ${info.parentType.name}.${info.fieldName}; it needs the admin key.`, {
    extensions: { code: 'FORBIDDEN' },
  });
}
