CREATE TABLE "audit_log" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_log_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" text NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "cursors" (
	"name" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "incidents" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "incidents_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"title" text NOT NULL,
	"state" text DEFAULT 'investigating' NOT NULL,
	"keywords" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"components" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_by" text NOT NULL,
	"slack_channel" text,
	"slack_ts" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "mentions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "mentions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"platform" text NOT NULL,
	"external_id" text NOT NULL,
	"state" text DEFAULT 'received' NOT NULL,
	"payload" jsonb NOT NULL,
	"error" text,
	"conversation_id" text,
	"in_reply_to" text,
	"author_id" text,
	"author_handle" text,
	"author_name" text,
	"author_followers" integer,
	"author_url" text,
	"text" text,
	"url" text,
	"created_at" timestamp with time zone,
	"language" text,
	"triage" jsonb,
	"priority" text,
	"category" text,
	"sentiment" real,
	"slack_channel" text,
	"slack_ts" text,
	"notify_claimed_at" timestamp with time zone,
	"incident_id" bigint,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ingested_at" timestamp with time zone,
	"analyzed_at" timestamp with time zone,
	"notified_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "replies" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "replies_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"idempotency_key" text NOT NULL,
	"mention_id" bigint NOT NULL,
	"platform" text NOT NULL,
	"kind" text DEFAULT 'reply' NOT NULL,
	"text" text NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"external_id" text,
	"url" text,
	"error" text,
	"requested_by" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "slack_threads" (
	"platform" text NOT NULL,
	"conversation_id" text NOT NULL,
	"root_mention_id" bigint NOT NULL,
	"channel" text NOT NULL,
	"thread_ts" text,
	"status" text DEFAULT 'new' NOT NULL,
	"assignee" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "slack_threads_platform_conversation_id_pk" PRIMARY KEY("platform","conversation_id")
);
--> statement-breakpoint
ALTER TABLE "replies" ADD CONSTRAINT "replies_mention_id_mentions_id_fk" FOREIGN KEY ("mention_id") REFERENCES "public"."mentions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_subject" ON "audit_log" USING btree ("subject_type","subject_id");--> statement-breakpoint
CREATE UNIQUE INDEX "mentions_platform_external_id" ON "mentions" USING btree ("platform","external_id");--> statement-breakpoint
CREATE INDEX "mentions_in_flight" ON "mentions" USING btree ("updated_at") WHERE "mentions"."state" in ('received', 'ingested', 'analyzed');--> statement-breakpoint
CREATE INDEX "mentions_author_recent" ON "mentions" USING btree ("platform","author_id","created_at");--> statement-breakpoint
CREATE INDEX "mentions_conversation" ON "mentions" USING btree ("platform","conversation_id");--> statement-breakpoint
CREATE UNIQUE INDEX "replies_idempotency_key" ON "replies" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "replies_mention" ON "replies" USING btree ("mention_id");--> statement-breakpoint
CREATE UNIQUE INDEX "slack_threads_ts" ON "slack_threads" USING btree ("channel","thread_ts");