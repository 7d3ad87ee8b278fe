import { readFileSync } from 'node:fs';

/** A column as schema.prisma declares it, in PostgreSQL's words. */
export interface DeclaredColumn {
  table: string;
  column: string;
  /** format_type() spelling, e.g. "character varying(64)", "numeric(20,6)". */
  type: string;
  nullable: boolean;
}

export interface DeclaredIndex {
  table: string;
  columns: string[];
  unique: boolean;
}

const NATIVE_TYPES: Record<string, (args: string) => string> = {
  VarChar: (args) => `character varying(${args})`,
  Char: (args) => `character(${args})`,
  Decimal: (args) => `numeric(${args.replace(/\s/g, '')})`,
  Timestamptz: (args) => `timestamp(${args}) with time zone`,
};

const DEFAULT_TYPES: Record<string, string> = {
  Int: 'integer',
  String: 'text',
  Boolean: 'boolean',
  DateTime: 'timestamp(3) without time zone',
  Decimal: 'numeric(65,30)',
  Json: 'jsonb',
};

/**
 * Reads the models of schema.prisma: each scalar and enum column with its
 * database type and nullability, and each primary key, unique key and index.
 * It covers the attributes this project's schema uses.
 */
export function readPrismaSchema(path: URL): { columns: DeclaredColumn[]; indexes: DeclaredIndex[] } {
  const text = readFileSync(path, 'utf8').replace(/\/\/.*$/gm, '');
  const enums = new Set([...text.matchAll(/^enum (\w+) \{/gm)].map((match) => match[1]!));
  const models = [...text.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)];
  const modelNames = new Set(models.map((match) => match[1]!));

  const columns: DeclaredColumn[] = [];
  const indexes: DeclaredIndex[] = [];
  for (const [, modelName, body] of models) {
    const table = /@@map\("(\w+)"\)/.exec(body!)?.[1] ?? modelName!;
    const columnOf = new Map<string, string>();

    for (const line of body!.split('\n').map((row) => row.trim())) {
      const field = /^(\w+)\s+(\w+)(\?|\[\])?(.*)$/.exec(line);
      if (!field || line.startsWith('@@')) continue;
      const [, name, type, modifier, attributes] = field;
      if (modelNames.has(type!)) continue;

      const column = /@map\("(\w+)"\)/.exec(attributes!)?.[1] ?? name!;
      columnOf.set(name!, column);
      const native = /@db\.(\w+)(?:\(([^)]*)\))?/.exec(attributes!);
      const dbType = native ? NATIVE_TYPES[native[1]!]!(native[2] ?? '') : enums.has(type!) ? `"${type}"` : DEFAULT_TYPES[type!]!;
      // Prisma creates scalar list columns without NOT NULL.
      if (modifier === '[]') columns.push({ table, column, type: `${dbType}[]`, nullable: true });
      else columns.push({ table, column, type: dbType, nullable: modifier === '?' });

      if (/@id\b/.test(attributes!)) indexes.push({ table, columns: [column], unique: true });
      if (/@unique\b/.test(attributes!)) indexes.push({ table, columns: [column], unique: true });
    }

    for (const [, kind, list] of body!.matchAll(/@@(id|unique|index)\(\[([^\]]*)\]/g)) {
      const fields = list!.split(',').map((entry) => entry.trim().replace(/\(.*\)$/, ''));
      indexes.push({ table, columns: fields.map((name) => columnOf.get(name) ?? name), unique: kind !== 'index' });
    }
  }
  return { columns, indexes };
}
