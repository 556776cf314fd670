-- AlterTable
ALTER TABLE "runs" ADD COLUMN     "bytes_synced" BIGINT,
ADD COLUMN     "cpu_seconds" DOUBLE PRECISION,
ADD COLUMN     "peak_memory_bytes" BIGINT,
ADD COLUMN     "peak_pids" INTEGER;

-- CreateTable
CREATE TABLE "sandbox_reaps" (
    "id" TEXT NOT NULL,
    "sandbox_id" TEXT NOT NULL,
    "container_id" TEXT NOT NULL,
    "node_id" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "tenant_id" TEXT,
    "conversation_id" TEXT,
    "profile" TEXT NOT NULL,
    "age_ms" BIGINT NOT NULL,
    "idle_ms" BIGINT NOT NULL,
    "hook_error" TEXT,
    "deferred" BOOLEAN NOT NULL,
    "oom_killed" BOOLEAN,
    "exit_code" INTEGER,
    "reaped_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "sandbox_reaps_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "sandbox_reaps_reaped_at_id_idx" ON "sandbox_reaps"("reaped_at", "id");
