-- CreateEnum
CREATE TYPE "conversation_kind" AS ENUM ('conversation', 'chat');

-- AlterTable
ALTER TABLE "conversations" ADD COLUMN     "kind" "conversation_kind" NOT NULL DEFAULT 'conversation',
ADD COLUMN     "system_prompt" TEXT;

-- CreateIndex
CREATE INDEX "conversations_tenant_id_kind_created_at_id_idx" ON "conversations"("tenant_id", "kind", "created_at", "id");

