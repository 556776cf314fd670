-- CreateTable
CREATE TABLE "egress_audit" (
    "id" TEXT NOT NULL,
    "tenant_id" TEXT NOT NULL,
    "conversation_id" TEXT NOT NULL,
    "run_id" TEXT NOT NULL,
    "sandbox_id" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "address" TEXT,
    "verdict" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "rule" TEXT,
    "bytes_in" BIGINT NOT NULL,
    "bytes_out" BIGINT NOT NULL,
    "duration_ms" INTEGER NOT NULL,
    "count" INTEGER NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "egress_audit_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "egress_audit_created_at_id_idx" ON "egress_audit"("created_at", "id");

-- CreateIndex
CREATE INDEX "egress_audit_tenant_id_created_at_id_idx" ON "egress_audit"("tenant_id", "created_at", "id");
