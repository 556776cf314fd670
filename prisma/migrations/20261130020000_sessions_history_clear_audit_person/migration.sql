-- AlterTable
ALTER TABLE "conversations" ADD COLUMN     "history_cleared_at" TIMESTAMPTZ(3),
ADD COLUMN     "history_start_seq" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN     "session_id" TEXT;

-- AlterTable
ALTER TABLE "audit_log" ADD COLUMN     "person" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "conversations_tenant_id_session_id_key" ON "conversations"("tenant_id", "session_id");

