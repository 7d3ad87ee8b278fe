-- Dashboards list a domain's transactions of one status, newest first.
-- CreateIndex
CREATE INDEX "transaction_domain_id_status_occurred_at_idx" ON "transaction"("domain_id", "status", "occurred_at" DESC);
