-- AlterTable
ALTER TABLE "partner" ADD COLUMN     "accept_hmac_hex" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "accept_standard_webhooks" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "accept_url_token" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "allowed_source_ips" VARCHAR(64)[] DEFAULT ARRAY[]::VARCHAR(64)[],
ADD COLUMN     "rate_limit" INTEGER,
ADD COLUMN     "rate_limit_window_seconds" INTEGER;

-- CreateTable
CREATE TABLE "partner_url_token" (
    "id" SERIAL NOT NULL,
    "partner_id" INTEGER NOT NULL,
    "token_sha256" CHAR(64) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "partner_url_token_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "partner_query_mapping" (
    "partner_id" INTEGER NOT NULL,
    "event_type" "EventType" NOT NULL DEFAULT 'SALE',
    "transaction_id_param" VARCHAR(64) NOT NULL,
    "domain_param" VARCHAR(64) NOT NULL,
    "amount_param" VARCHAR(64),
    "currency_param" VARCHAR(64),
    "status_param" VARCHAR(64),
    "click_id_param" VARCHAR(64),
    "status_values" JSONB NOT NULL DEFAULT '{}',
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "partner_query_mapping_pkey" PRIMARY KEY ("partner_id")
);

-- CreateTable
CREATE TABLE "webhook_rate_window" (
    "partner_id" INTEGER NOT NULL,
    "window_start" TIMESTAMPTZ(3) NOT NULL,
    "request_count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "webhook_rate_window_pkey" PRIMARY KEY ("partner_id","window_start")
);

-- CreateIndex
CREATE UNIQUE INDEX "partner_url_token_partner_id_token_sha256_key" ON "partner_url_token"("partner_id", "token_sha256");

-- AddForeignKey
ALTER TABLE "partner_url_token" ADD CONSTRAINT "partner_url_token_partner_id_fkey" FOREIGN KEY ("partner_id") REFERENCES "partner"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "partner_query_mapping" ADD CONSTRAINT "partner_query_mapping_partner_id_fkey" FOREIGN KEY ("partner_id") REFERENCES "partner"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_rate_window" ADD CONSTRAINT "webhook_rate_window_partner_id_fkey" FOREIGN KEY ("partner_id") REFERENCES "partner"("id") ON DELETE CASCADE ON UPDATE CASCADE;
