import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A `yield-ledger serve` process started by a test, with the log lines it wrote. */
export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Parsed JSON log lines, in order; more arrive while the process runs. */
  logLines: Array<{ msg?: string; [key: string]: unknown }>;
  /** Resolves with the exit code, or the signal name when a signal ended it. */
  exited: Promise<number | string>;
}

/**
 * Starts `yield-ledger serve` as its own process on a free port and waits
 * until it logs its URL. Its standard output is read to the end, so a busy
 * server never blocks on a full pipe.
 */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const logLines: ServerProcess['logLines'] = [];

  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: ServerProcess['logLines'][number];
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      logLines.push(entry);
      if (entry.msg === 'server started' && typeof entry.url === 'string') resolve(entry.url);
    });
    exited.then((code) => reject(new Error(`server process exited with ${code} before it started`)));
  });
  return { child, url, logLines, exited };
}
