-- CreateEnum
CREATE TYPE "EventType" AS ENUM ('CLICK', 'LEAD', 'SALE');

-- CreateEnum
CREATE TYPE "TransactionStatus" AS ENUM ('PENDING', 'CONFIRMED', 'REJECTED', 'REVERSED');

-- CreateEnum
CREATE TYPE "DomainStatus" AS ENUM ('ACTIVE', 'PAUSED', 'SUSPENDED');

-- CreateEnum
CREATE TYPE "ChangeSource" AS ENUM ('WEBHOOK', 'ADMIN', 'IMPORT');

-- CreateTable
CREATE TABLE "partner" (
    "id" SERIAL NOT NULL,
    "slug" VARCHAR(64) NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "revenue_share" DECIMAL(7,6) NOT NULL DEFAULT 0.70,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "partner_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "yield_domain" (
    "id" SERIAL NOT NULL,
    "name" VARCHAR(253) NOT NULL,
    "owner_user_id" INTEGER NOT NULL,
    "status" "DomainStatus" NOT NULL DEFAULT 'ACTIVE',
    "active_route" VARCHAR(2048),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "yield_domain_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "transaction" (
    "id" SERIAL NOT NULL,
    "domain_id" INTEGER NOT NULL,
    "partner_id" INTEGER NOT NULL,
    "event_type" "EventType" NOT NULL,
    "status" "TransactionStatus" NOT NULL,
    "partner_transaction_id" VARCHAR(128),
    "click_id" VARCHAR(64),
    "click_dedupe_key" VARCHAR(64),
    "attributed_click_id" INTEGER,
    "gross_amount" DECIMAL(20,6) NOT NULL,
    "net_amount" DECIMAL(20,6) NOT NULL,
    "revenue_share" DECIMAL(7,6) NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "confirmed_at" TIMESTAMPTZ(3),
    "referrer" VARCHAR(2048),
    "user_agent" VARCHAR(1024),
    "geo_country" VARCHAR(2),
    "ip_hash" VARCHAR(128),
    "metadata" JSONB,

    CONSTRAINT "transaction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "transaction_change" (
    "id" SERIAL NOT NULL,
    "transaction_id" INTEGER NOT NULL,
    "source" "ChangeSource" NOT NULL,
    "actor" VARCHAR(128) NOT NULL,
    "old_status" "TransactionStatus",
    "new_status" "TransactionStatus" NOT NULL,
    "old_gross_amount" DECIMAL(20,6),
    "new_gross_amount" DECIMAL(20,6) NOT NULL,
    "old_net_amount" DECIMAL(20,6),
    "new_net_amount" DECIMAL(20,6) NOT NULL,
    "applied" BOOLEAN NOT NULL DEFAULT true,
    "note" VARCHAR(500),
    "delivery_id" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "transaction_change_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "domain_total" (
    "domain_id" INTEGER NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "confirmed_gross" DECIMAL(26,6) NOT NULL DEFAULT 0,
    "confirmed_net" DECIMAL(26,6) NOT NULL DEFAULT 0,
    "pending_gross" DECIMAL(26,6) NOT NULL DEFAULT 0,
    "pending_net" DECIMAL(26,6) NOT NULL DEFAULT 0,
    "clicks" INTEGER NOT NULL DEFAULT 0,
    "leads" INTEGER NOT NULL DEFAULT 0,
    "sales" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "domain_total_pkey" PRIMARY KEY ("domain_id","currency")
);

-- CreateTable
CREATE TABLE "webhook_delivery" (
    "id" SERIAL NOT NULL,
    "partner_id" INTEGER,
    "partner_slug" VARCHAR(64),
    "route" VARCHAR(200) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "http_status" INTEGER NOT NULL,
    "outcome" VARCHAR(32) NOT NULL,
    "reason" VARCHAR(500),
    "body_sha256" CHAR(64),
    "webhook_id" VARCHAR(256),
    "transaction_id" INTEGER,
    "request_id" VARCHAR(128),

    CONSTRAINT "webhook_delivery_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_message" (
    "partner_id" INTEGER NOT NULL,
    "webhook_id" VARCHAR(256) NOT NULL,
    "transaction_id" INTEGER,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_message_pkey" PRIMARY KEY ("partner_id","webhook_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "partner_slug_key" ON "partner"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "yield_domain_name_key" ON "yield_domain"("name");

-- CreateIndex
CREATE INDEX "yield_domain_owner_user_id_idx" ON "yield_domain"("owner_user_id");

-- CreateIndex
CREATE INDEX "transaction_occurred_at_id_idx" ON "transaction"("occurred_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "transaction_domain_id_occurred_at_idx" ON "transaction"("domain_id", "occurred_at" DESC);

-- CreateIndex
CREATE INDEX "transaction_partner_id_click_id_idx" ON "transaction"("partner_id", "click_id");

-- CreateIndex
CREATE INDEX "transaction_attributed_click_id_idx" ON "transaction"("attributed_click_id");

-- CreateIndex
CREATE UNIQUE INDEX "transaction_partner_id_partner_transaction_id_key" ON "transaction"("partner_id", "partner_transaction_id");

-- CreateIndex
CREATE UNIQUE INDEX "transaction_partner_id_click_dedupe_key_key" ON "transaction"("partner_id", "click_dedupe_key");

-- CreateIndex
CREATE INDEX "transaction_change_transaction_id_id_idx" ON "transaction_change"("transaction_id", "id");

-- CreateIndex
CREATE INDEX "webhook_delivery_partner_id_received_at_idx" ON "webhook_delivery"("partner_id", "received_at" DESC);

-- CreateIndex
CREATE INDEX "webhook_delivery_received_at_idx" ON "webhook_delivery"("received_at" DESC);

-- AddForeignKey
ALTER TABLE "transaction" ADD CONSTRAINT "transaction_domain_id_fkey" FOREIGN KEY ("domain_id") REFERENCES "yield_domain"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "transaction" ADD CONSTRAINT "transaction_partner_id_fkey" FOREIGN KEY ("partner_id") REFERENCES "partner"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "transaction" ADD CONSTRAINT "transaction_attributed_click_id_fkey" FOREIGN KEY ("attributed_click_id") REFERENCES "transaction"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "transaction_change" ADD CONSTRAINT "transaction_change_transaction_id_fkey" FOREIGN KEY ("transaction_id") REFERENCES "transaction"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "transaction_change" ADD CONSTRAINT "transaction_change_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "webhook_delivery"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "domain_total" ADD CONSTRAINT "domain_total_domain_id_fkey" FOREIGN KEY ("domain_id") REFERENCES "yield_domain"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_delivery" ADD CONSTRAINT "webhook_delivery_partner_id_fkey" FOREIGN KEY ("partner_id") REFERENCES "partner"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_delivery" ADD CONSTRAINT "webhook_delivery_transaction_id_fkey" FOREIGN KEY ("transaction_id") REFERENCES "transaction"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- The Awin postback route works out of the box with this partner.
INSERT INTO "partner" ("slug", "name", "active", "revenue_share", "updated_at")
VALUES ('awin', 'Awin', true, 0.70, CURRENT_TIMESTAMP);
