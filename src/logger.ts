import { pino, type Logger } from 'pino';

import type { Config } from './config.js';

/**
 * Creates the JSON line logger; headers that carry keys or signatures are
 * redacted. It writes to stdout unless another destination is given.
 */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level: config.logLevel,
    redact: ['req.headers["x-internal-key"]', 'req.headers.authorization', 'req.headers["x-webhook-signature"]', 'req.headers["x-awin-signature"]', 'req.headers["webhook-signature"]'],
  };
  return destination ? pino(options, destination) : pino(options);
}
