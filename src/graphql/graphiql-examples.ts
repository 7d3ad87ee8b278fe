/** The operations GraphiQL opens with; run one by placing the cursor in it. */
export const GRAPHIQL_EXAMPLES = `# yield-ledger. Put your key in the Headers tab, then run an operation.

query Revenue {
  domainRevenue(domain: "garden-tools.example") {
    domain
    totals { currency confirmedGross confirmedNet pendingGross pendingNet clicks leads sales }
  }
}

query LatestTransactions {
  transactions(first: 20, filter: { domain: "garden-tools.example" }) {
    totalCount
    edges { node { transactionId partner eventType status grossAmount netAmount currency occurredAt } }
    pageInfo { hasNextPage endCursor }
  }
}

mutation CreatePartner {
  upsertPartner(input: { slug: "demo", name: "Demo Network", revenueShare: "0.70" }) {
    ... on MutationUpsertPartnerSuccess { data { slug revenueShare } }
    ... on Error { message }
  }
}

mutation CreateDomain {
  upsertDomain(input: { domain: "garden-tools.example", userId: 1 }) {
    ... on MutationUpsertDomainSuccess { data { domain status } }
    ... on Error { message }
  }
}

mutation Confirm {
  confirmTransaction(id: "1") {
    ... on MutationConfirmTransactionSuccess { data { transactionId status confirmedAt } }
    ... on Error { message }
  }
}
`;
