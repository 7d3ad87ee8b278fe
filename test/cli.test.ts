import { spawnSync } from 'node:child_process';

import { describe, expect, inject, it } from 'vitest';

import { createTestDatabase } from './support/databases.js';
import { useOwnDatabase } from './support/own-database.js';

const own = useOwnDatabase();

function runCli(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, ['bin/yield-ledger.mjs', ...args], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('command line', () => {
  it.each([
    ['PORT', { PORT: 'eighty' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://localhost/ledger' }],
    ['INTERNAL_API_KEY', { INTERNAL_API_KEY: 'short' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['SHUTDOWN_TIMEOUT_MS', { SHUTDOWN_TIMEOUT_MS: 'soon' }],
    ['HTTP_HEADERS_TIMEOUT_MS', { HTTP_HEADERS_TIMEOUT_MS: '60000', HTTP_REQUEST_TIMEOUT_MS: '30000' }],
  ])('rejects an invalid %s at start', (variable, env) => {
    const result = runCli(['migrate'], env);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(variable);
  });

  it('migrates an up-to-date database', async () => {
    // A database of its own, because this process keeps the shared one open.
    const target = await createTestDatabase(inject('template'));
    try {
      const result = runCli(['migrate'], { ...target.env, LOG_LEVEL: 'info' });
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('database is up to date');
    } finally {
      await target.drop();
    }
  });

  it.each([
    ['zero', '0', 2, /whole number from 1 to 64/],
    ['text', 'many', 2, /whole number from 1 to 64/],
  ])('rejects --workers %s', (_label, value, status, message) => {
    const result = runCli(['serve', '--workers', value], {});
    expect(result.status).toBe(status);
    expect(result.stderr).toMatch(message);
  });

  it('refuses several workers on the embedded database', () => {
    const result = runCli(['serve', '--workers', '2'], { DATA_DIR: '/nonexistent/yield-ledger-workers' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('needs DATABASE_URL');
  });

  it('rejects an unknown command', () => {
    const result = runCli(['launch'], {});
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Unknown command "launch"');
  });
});

describe.skipIf(inject('template').kind !== 'pglite')('embedded database in a second process', () => {
  it('refuses to open a folder another process holds', () => {
    // This test process keeps the folder open through useOwnDatabase.
    const result = runCli(['migrate'], own.testDatabase.env);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`already open in process ${process.pid}`);
  });
});
