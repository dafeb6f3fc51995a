ALTER TABLE "corrections" ADD COLUMN "before" jsonb;--> statement-breakpoint
ALTER TABLE "slack_threads" ADD COLUMN "first_response_seconds" integer;--> statement-breakpoint
ALTER TABLE "slack_threads" ADD COLUMN "resolution_seconds" integer;--> statement-breakpoint
CREATE INDEX "slack_threads_assignee" ON "slack_threads" USING btree ("assignee");