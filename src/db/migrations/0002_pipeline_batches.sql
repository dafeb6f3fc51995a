ALTER TABLE "mentions" ADD COLUMN "job_id" text;--> statement-breakpoint
ALTER TABLE "mentions" ADD COLUMN "notify_claim" text;