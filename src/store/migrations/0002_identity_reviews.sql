CREATE TABLE `identity_reviews` (
	`id` text PRIMARY KEY NOT NULL,
	`system` text NOT NULL,
	`entity` text NOT NULL,
	`external_id` text NOT NULL,
	`status` text NOT NULL,
	`reason` text NOT NULL,
	`evidence` text NOT NULL,
	`opened_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`decided_at` text,
	`decided_by` text,
	`canonical_id` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `identity_reviews_record` ON `identity_reviews` (`system`,`entity`,`external_id`);--> statement-breakpoint
CREATE INDEX `identity_reviews_status` ON `identity_reviews` (`status`,`opened_at`);