-- CreateTable
CREATE TABLE "skills" (
    "tenant_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "description" TEXT NOT NULL,
    "size_bytes" INTEGER NOT NULL,
    "file_count" INTEGER NOT NULL,
    "digest" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "skills_pkey" PRIMARY KEY ("tenant_id","name")
);

-- CreateTable
CREATE TABLE "conversation_skills" (
    "conversation_id" TEXT NOT NULL,
    "names" TEXT[],

    CONSTRAINT "conversation_skills_pkey" PRIMARY KEY ("conversation_id")
);

-- AddForeignKey
ALTER TABLE "skills" ADD CONSTRAINT "skills_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "conversation_skills" ADD CONSTRAINT "conversation_skills_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

