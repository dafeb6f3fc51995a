ALTER TABLE "incidents" ADD COLUMN "digested_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "incidents" ADD COLUMN "shown_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Open incidents keep their digests: what the old mark covered counts as digested.
UPDATE "incidents" SET "digested_count" = (SELECT count(*) FROM "mentions" WHERE "mentions"."incident_id" = "incidents"."id" AND "mentions"."id" <= "incidents"."digested_up_to");
