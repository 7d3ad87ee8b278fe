// Writes the GraphQL schema, sorted, to schema.graphql at the repository root.
import { writeFileSync } from 'node:fs';

import { printSortedSchema } from '../src/graphql/schema.js';

const target = new URL('../schema.graphql', import.meta.url);
writeFileSync(target, printSortedSchema());
console.log('schema.graphql written');
