import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { printSortedSchema } from '../../src/graphql/schema.js';

describe('schema.graphql', () => {
  it('matches the running schema', () => {
    const committed = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');
    // On a difference, run `npm run schema:print` and commit schema.graphql.
    expect(committed).toBe(printSortedSchema());
  });
});
