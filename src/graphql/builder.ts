import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';

import type PrismaTypes from '../generated/pothos-prisma-types.js';
import { getDatamodel } from '../generated/pothos-prisma-types.js';
import type { Db } from '../ledger/database.js';
import { unauthorizedError } from './auth.js';

export type Role = 'admin' | 'dashboard';

export interface GraphQLContext {
  db: Db;
  /** The role the request's key grants; null without a valid key. */
  role: Role | null;
  adminKeyConfigured: boolean;
  /** Results computed once per request and shared by resolvers, keyed by what they depend on. */
  memo: Map<string, Promise<unknown>>;
}

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  PrismaTypes: PrismaTypes;
  AuthScopes: { reader: boolean; admin: boolean };
  Scalars: {
    Decimal: { Input: string; Output: string | { toFixed(places: number): string } };
    DateTime: { Input: Date; Output: Date };
    CurrencyCode: { Input: string; Output: string };
    ID: { Input: string; Output: string | number };
  };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
}>({
  plugins: [ScopeAuthPlugin, ErrorsPlugin, PrismaPlugin, RelayPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: (context) => ({ reader: context.role !== null, admin: context.role === 'admin' }),
    unauthorizedError,
  },
  prisma: {
    client: (context) => context.db,
    dmmf: getDatamodel(),
    filterConnectionTotalCount: true,
    onUnusedQuery: null,
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
  },
});
