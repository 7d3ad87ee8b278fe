// Creates the demo partner and domain of the README walkthrough through the
// running server's GraphQL API, with the admin key from INTERNAL_API_KEY.
const url = process.env.YIELD_LEDGER_URL ?? `http://127.0.0.1:${process.env.PORT ?? '4000'}/graphql`;
const key = process.env.INTERNAL_API_KEY;
if (!key) {
  console.error('INTERNAL_API_KEY is missing: set it to the admin key the server was started with.');
  process.exit(1);
}

async function run(query: string): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-internal-key': key! },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data?: unknown; errors?: { message: string }[] };
  if (body.errors) throw new Error(body.errors.map((error) => error.message).join('; '));
  return body.data;
}

try {
  console.log(JSON.stringify(await run('mutation { upsertPartner(input: { slug: "demo", name: "Demo Network" }) { ... on MutationUpsertPartnerSuccess { data { slug revenueShare } } ... on Error { message } } }')));
  console.log(JSON.stringify(await run('mutation { upsertDomain(input: { domain: "garden-tools.example", userId: 1 }) { ... on MutationUpsertDomainSuccess { data { domain status } } ... on Error { message } } }')));
} catch (error) {
  console.error(`Seeding through ${url} failed: ${(error as Error).message}. Is the server running (npm start)?`);
  process.exit(1);
}
