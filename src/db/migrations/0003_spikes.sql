CREATE TABLE "spikes" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "spikes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"term" text NOT NULL,
	"terms" jsonb NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"count" integer NOT NULL,
	"expected" real NOT NULL,
	"peak" integer NOT NULL,
	"channel" text NOT NULL,
	"slack_ts" text,
	"alert_claimed_at" timestamp with time zone,
	"shown_count" integer DEFAULT 0 NOT NULL,
	"digested_up_to" bigint DEFAULT 0 NOT NULL,
	"incident_id" bigint,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_anomalous_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "mentions" ADD COLUMN "spike_id" bigint;--> statement-breakpoint
CREATE UNIQUE INDEX "spikes_open_term" ON "spikes" USING btree ("term") WHERE "spikes"."status" = 'open';--> statement-breakpoint
CREATE INDEX "mentions_spike" ON "mentions" USING btree ("spike_id","id");