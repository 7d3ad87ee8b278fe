import type { CodegenConfig } from '@graphql-codegen/cli';

// Generates typed documents for the operations the tests and scripts write
// with the graphql() tag, from the committed schema.graphql.
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['test/**/*.ts', 'scripts/**/*.ts', '!test/generated/**'],
  ignoreNoDocuments: true,
  generates: {
    'test/generated/': {
      preset: 'client',
      config: { scalars: { Decimal: 'string', DateTime: 'string' }, useTypeImports: true },
    },
  },
};

export default config;
