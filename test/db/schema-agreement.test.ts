import { describe, expect, it } from 'vitest';

import { useOwnDatabase } from '../support/own-database.js';
import { readPrismaSchema } from '../support/prisma-schema.js';

const own = useOwnDatabase();

interface ColumnRow {
  table: string;
  column: string;
  type: string;
  nullable: boolean;
}

interface IndexRow {
  table: string;
  columns: string[];
  unique: boolean;
}

describe('migrated database', () => {
  const declared = readPrismaSchema(new URL('../../prisma/schema.prisma', import.meta.url));

  it('has every declared column with its type', async () => {
    const rows = await own.database.prisma.$queryRaw<ColumnRow[]>`
      SELECT c.relname::text AS "table", a.attname::text AS "column", format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND c.relname <> '_prisma_migrations'`;
    const actual = rows.map((row) => ({ ...row, type: row.type.replace(/^"?public"?\./, '') }));

    expect(declared.columns.length).toBeGreaterThan(50);
    for (const column of declared.columns) {
      expect(actual, `${column.table}.${column.column}`).toContainEqual(column);
    }
    expect(actual).toHaveLength(declared.columns.length);
  });

  it('has every declared index and key', async () => {
    const rows = await own.database.prisma.$queryRaw<IndexRow[]>`
      SELECT t.relname::text AS "table", i.indisunique AS unique,
        array_agg(a.attname::text ORDER BY k.ordinality) AS columns
      FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
      CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ordinality)
      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
      WHERE n.nspname = 'public' AND t.relname <> '_prisma_migrations'
      GROUP BY i.indexrelid, t.relname, i.indisunique`;

    expect(declared.indexes.length).toBeGreaterThan(10);
    for (const index of declared.indexes) {
      expect(rows, `${index.table}(${index.columns.join(', ')})`).toContainEqual(index);
    }
    expect(rows).toHaveLength(declared.indexes.length);
  });
});
