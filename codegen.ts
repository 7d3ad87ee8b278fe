import type { CodegenConfig } from '@graphql-codegen/cli';

// Generates typed document nodes for the operations under test/operations
// from the committed schema.graphql. The tests import them, so a schema
// change that breaks an operation fails the type check.
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['test/operations/**/*.graphql'],
  generates: {
    'test/generated/graphql.ts': {
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        scalars: { Decimal: 'string', DateTime: 'string', CurrencyCode: 'string', ID: 'string' },
        useTypeImports: true,
        enumsAsTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: true },
      },
    },
  },
};

export default config;
