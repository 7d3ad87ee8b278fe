import { z } from 'zod';

import { parseIpRange } from './ip-ranges.js';
import { MAX_RATE_LIMIT, MAX_RATE_LIMIT_WINDOW_SECONDS } from './ledger/partner-settings.js';

const SECRET_PREFIX = 'YIELD_WEBHOOK_SECRET';

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const apiKey = (name: string) =>
  optionalText.refine((value) => value === undefined || value.length >= 16, {
    message: `${name} must be at least 16 characters long; generate one with \`openssl rand -hex 32\``,
  });

const milliseconds = (name: string, min: number, fallback: number) =>
  z.coerce
    .number({ message: `${name} must be a whole number of milliseconds` })
    .int(`${name} must be a whole number of milliseconds`)
    .min(min, `${name} must be at least ${min} milliseconds`)
    .default(fallback);

const envSchema = z.object({
  PORT: z.coerce
    .number({ message: 'PORT must be a number' })
    .int()
    .min(0)
    .max(65535, 'PORT must be between 0 and 65535')
    .default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: optionalText.refine(
    (value) => value === undefined || /^postgres(ql)?:\/\//.test(value),
    'DATABASE_URL must start with postgresql:// (leave it unset to use the embedded database)',
  ),
  DATA_DIR: z.string().min(1).default('./data'),
  INTERNAL_API_KEY: apiKey('INTERNAL_API_KEY'),
  DASHBOARD_API_KEY: apiKey('DASHBOARD_API_KEY'),
  WEBHOOK_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(64 * 1024),
  GRAPHQL_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(16 * 1024 * 1024),
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(2).max(100).default(10),
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(0).max(1000).default(15),
  GRAPHQL_MAX_COST: z.coerce.number().int().min(100).default(10_000),
  GRAPHQL_MAX_TOKENS: z.coerce.number().int().min(100).default(3000),
  WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  WEBHOOK_RATE_LIMIT: z.coerce
    .number({ message: 'WEBHOOK_RATE_LIMIT must be a number of postbacks' })
    .int()
    .min(1, 'WEBHOOK_RATE_LIMIT must be at least 1')
    .max(MAX_RATE_LIMIT, `WEBHOOK_RATE_LIMIT must be at most ${MAX_RATE_LIMIT}`)
    .default(1200),
  WEBHOOK_RATE_LIMIT_WINDOW_SECONDS: z.coerce
    .number({ message: 'WEBHOOK_RATE_LIMIT_WINDOW_SECONDS must be a number of seconds' })
    .int()
    .min(1, 'WEBHOOK_RATE_LIMIT_WINDOW_SECONDS must be at least 1')
    .max(MAX_RATE_LIMIT_WINDOW_SECONDS, `WEBHOOK_RATE_LIMIT_WINDOW_SECONDS must be at most ${MAX_RATE_LIMIT_WINDOW_SECONDS}`)
    .default(60),
  WEBHOOK_TRUSTED_PROXIES: optionalText.transform((value, context) => {
    const entries = (value ?? '').split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
    const ranges = entries.map(parseIpRange);
    const invalid = entries.find((_entry, index) => ranges[index] === undefined);
    if (invalid !== undefined) {
      context.addIssue({
        code: 'custom',
        message: `WEBHOOK_TRUSTED_PROXIES entry "${invalid.slice(0, 60)}" is not an IP address or CIDR range such as 10.0.0.0/8`,
      });
      return z.NEVER;
    }
    return ranges as string[];
  }),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),
  DATABASE_CONNECT_TIMEOUT_MS: milliseconds('DATABASE_CONNECT_TIMEOUT_MS', 100, 5000),
  HTTP_HEADERS_TIMEOUT_MS: milliseconds('HTTP_HEADERS_TIMEOUT_MS', 100, 10_000),
  HTTP_REQUEST_TIMEOUT_MS: milliseconds('HTTP_REQUEST_TIMEOUT_MS', 100, 30_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: milliseconds('HTTP_KEEP_ALIVE_TIMEOUT_MS', 100, 5000),
  SHUTDOWN_TIMEOUT_MS: milliseconds('SHUTDOWN_TIMEOUT_MS', 0, 10_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
})
  // Node's HTTP server rejects a headers timeout longer than the request timeout.
  .refine((values) => values.HTTP_HEADERS_TIMEOUT_MS <= values.HTTP_REQUEST_TIMEOUT_MS, {
    path: ['HTTP_HEADERS_TIMEOUT_MS'],
    message: 'HTTP_HEADERS_TIMEOUT_MS must not be larger than HTTP_REQUEST_TIMEOUT_MS; raise the request timeout or lower the headers timeout',
  });

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  internalApiKey: string | undefined;
  dashboardApiKey: string | undefined;
  webhookBodyLimitBytes: number;
  graphqlBodyLimitBytes: number;
  /** Limits checked before a GraphQL operation runs. */
  graphqlLimits: { maxDepth: number; maxAliases: number; maxCost: number; maxTokens: number };
  /** Postbacks per partner and window for partners without a limit of their own. */
  webhookRateLimit: number;
  webhookRateLimitWindowSeconds: number;
  /** Reverse proxies, as address/prefix, whose X-Forwarded-For is believed for the source IP check. */
  webhookTrustedProxies: readonly string[];
  databasePoolSize: number;
  /** Server processes for `serve`; more than one needs DATABASE_URL. */
  workers: number;
  /** How long opening a PostgreSQL connection may take before the request fails with 503. */
  databaseConnectTimeoutMs: number;
  /** Time a client has to send the request headers. */
  httpHeadersTimeoutMs: number;
  /** Time a client has to send the whole request, body included. */
  httpRequestTimeoutMs: number;
  /** Time an idle keep-alive connection stays open. */
  httpKeepAliveTimeoutMs: number;
  /** Time the server waits for open requests after SIGTERM before it closes their connections. */
  shutdownTimeoutMs: number;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  /** Signing secrets per partner slug. The key '' maps to the fallback list. */
  webhookSecrets: ReadonlyMap<string, readonly string[]>;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment into the server's configuration. Every problem is
 * collected and reported at once, each naming its variable.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }

  const values = parsed.data;
  return {
    port: values.PORT,
    host: values.HOST,
    databaseUrl: values.DATABASE_URL,
    dataDir: values.DATA_DIR,
    internalApiKey: values.INTERNAL_API_KEY,
    dashboardApiKey: values.DASHBOARD_API_KEY,
    webhookBodyLimitBytes: values.WEBHOOK_BODY_LIMIT_BYTES,
    graphqlBodyLimitBytes: values.GRAPHQL_BODY_LIMIT_BYTES,
    graphqlLimits: {
      maxDepth: values.GRAPHQL_MAX_DEPTH,
      maxAliases: values.GRAPHQL_MAX_ALIASES,
      maxCost: values.GRAPHQL_MAX_COST,
      maxTokens: values.GRAPHQL_MAX_TOKENS,
    },
    webhookRateLimit: values.WEBHOOK_RATE_LIMIT,
    webhookRateLimitWindowSeconds: values.WEBHOOK_RATE_LIMIT_WINDOW_SECONDS,
    webhookTrustedProxies: values.WEBHOOK_TRUSTED_PROXIES,
    databasePoolSize: values.DATABASE_POOL_SIZE,
    workers: values.WORKERS,
    databaseConnectTimeoutMs: values.DATABASE_CONNECT_TIMEOUT_MS,
    httpHeadersTimeoutMs: values.HTTP_HEADERS_TIMEOUT_MS,
    httpRequestTimeoutMs: values.HTTP_REQUEST_TIMEOUT_MS,
    httpKeepAliveTimeoutMs: values.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    shutdownTimeoutMs: values.SHUTDOWN_TIMEOUT_MS,
    logLevel: values.LOG_LEVEL,
    webhookSecrets: readWebhookSecrets(env),
  };
}

/**
 * Collects YIELD_WEBHOOK_SECRET and YIELD_WEBHOOK_SECRET_<SLUG>. The slug part
 * is the partner slug upper-cased with hyphens written as underscores.
 */
function readWebhookSecrets(env: Record<string, string | undefined>): Map<string, string[]> {
  const secrets = new Map<string, string[]>();
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (name !== SECRET_PREFIX && !name.startsWith(`${SECRET_PREFIX}_`)) continue;

    const list = value
      .split(',')
      .map((secret) => secret.trim())
      .filter((secret) => secret !== '');
    if (list.length === 0) continue;

    const key = name === SECRET_PREFIX ? '' : name.slice(SECRET_PREFIX.length + 1).toLowerCase();
    secrets.set(key, list);
  }
  return secrets;
}

/**
 * Returns the valid signing secrets for a partner: its own list when one is
 * set, else the shared YIELD_WEBHOOK_SECRET list, else none.
 */
export function webhookSecretsFor(config: Config, partnerSlug: string): readonly string[] {
  const own = config.webhookSecrets.get(partnerSlug.replaceAll('-', '_'));
  return own ?? config.webhookSecrets.get('') ?? [];
}
