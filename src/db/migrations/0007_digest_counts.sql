ALTER TABLE "incidents" ADD COLUMN "digested_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "shown_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "spikes" ADD COLUMN "digested_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Open spikes and incidents keep their digests: what the old mark covered counts as digested.
UPDATE "incidents" SET "digested_count" = (SELECT count(*) FROM "mentions" WHERE "mentions"."incident_id" = "incidents"."id" AND "mentions"."id" <= "incidents"."digested_up_to");--> statement-breakpoint
UPDATE "spikes" SET "digested_count" = (SELECT count(*) FROM "mentions" WHERE "mentions"."spike_id" = "spikes"."id" AND "mentions"."id" <= "spikes"."digested_up_to");
