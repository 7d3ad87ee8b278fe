import { getOperationAST, type GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

import type { Metrics } from '../metrics.js';

/**
 * Counts executed operations by type, and the errors of every response by
 * their `extensions.code`, parse and validation failures included.
 */
export function useGraphQLMetrics(metrics: Pick<Metrics, 'graphqlOperations' | 'graphqlErrors'>): Plugin {
  return {
    onExecute({ args }) {
      const operation = getOperationAST(args.document, args.operationName)?.operation ?? 'unknown';
      metrics.graphqlOperations.inc({ operation });
    },
    onResultProcess({ result }) {
      const results = Array.isArray(result) ? result : [result];
      for (const entry of results) {
        const errors = (entry as { errors?: readonly GraphQLError[] } | null)?.errors;
        if (!Array.isArray(errors)) continue;
        for (const error of errors) metrics.graphqlErrors.inc({ code: errorCode(error) });
      }
    },
  };
}

// Codes come from the server, but a label value outside this shape would
// still be a new time series per value, so anything else counts as OTHER.
function errorCode(error: GraphQLError): string {
  const code = error.extensions?.code;
  if (code === undefined) return 'UNSPECIFIED';
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,47}$/.test(code) ? code : 'OTHER';
}
