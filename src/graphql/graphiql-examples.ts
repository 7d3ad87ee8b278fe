/** The operations GraphiQL opens with; run one by placing the cursor in it. */
export const GRAPHIQL_EXAMPLES = `# yield-ledger. Put your key in the Headers tab, then run an operation.

query Revenue {
  domainRevenue(domain: "garden-tools.example") {
    domain
    totals { currency confirmedGross confirmedNet pendingGross pendingNet clicks leads sales }
  }
}

# What did partner demo pay garden-tools.example per day last week, in Zurich time?
query RevenuePerDay {
  domainRevenueSeries(
    domain: "garden-tools.example"
    partner: "demo"
    from: "2026-11-22T23:00:00Z"
    to: "2026-11-29T23:00:00Z"
    interval: DAY
    timezone: "Europe/Zurich"
  ) {
    points { start currency confirmedNet pendingNet sales }
  }
}

query RejectedPostbacks {
  webhookDeliveries(first: 20, filter: { partner: "demo", rejected: true }) {
    edges { node { receivedAt httpStatus reason requestId } }
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

mutation Reverse {
  reverseTransaction(id: "1", reason: "Chargeback") {
    ... on MutationReverseTransactionSuccess { data { transactionId status } }
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
