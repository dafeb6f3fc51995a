ALTER TABLE "spikes" ADD COLUMN "related" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "spikes" ADD COLUMN "window_end" integer DEFAULT 0 NOT NULL;