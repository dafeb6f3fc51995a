CREATE TABLE "corrections" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "corrections_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"mention_id" bigint NOT NULL,
	"sentiment" text,
	"category" text,
	"priority" text,
	"spam" boolean,
	"by" text NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "replies" ADD COLUMN "slack_channel" text;--> statement-breakpoint
ALTER TABLE "replies" ADD COLUMN "slack_thread_ts" text;--> statement-breakpoint
ALTER TABLE "replies" ADD COLUMN "reported_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "slack_threads" ADD COLUMN "replying_user" text;--> statement-breakpoint
ALTER TABLE "slack_threads" ADD COLUMN "replying_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "slack_threads" ADD COLUMN "sla_due_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "slack_threads" ADD COLUMN "sla_reminded_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "slack_threads" ADD COLUMN "sla_breached_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "slack_threads" ADD COLUMN "first_response_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "slack_threads" ADD COLUMN "resolved_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "corrections" ADD CONSTRAINT "corrections_mention_id_mentions_id_fk" FOREIGN KEY ("mention_id") REFERENCES "public"."mentions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "corrections_mention" ON "corrections" USING btree ("mention_id");--> statement-breakpoint
CREATE INDEX "slack_threads_sla_open" ON "slack_threads" USING btree ("sla_due_at") WHERE "slack_threads"."first_response_at" is null and "slack_threads"."status" <> 'resolved';