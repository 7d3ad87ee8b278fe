// Regenerates the committed Prisma client and Pothos types offline.
// `prisma generate` never runs the schema engine, but the Prisma 7 CLI
// tries to download it unless PRISMA_SCHEMA_ENGINE_BINARY names an
// existing file, so a placeholder file is named here.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const placeholder = path.join(tmpdir(), 'yield-ledger-no-schema-engine');
writeFileSync(placeholder, '');
const result = spawnSync('npx', ['prisma', 'generate'], {
  stdio: 'inherit',
  env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? placeholder },
});
process.exit(result.status ?? 1);
