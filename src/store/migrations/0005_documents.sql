CREATE TABLE `comment_revisions` (
	`comment_id` text NOT NULL,
	`revision` integer NOT NULL,
	`action` text NOT NULL,
	`body` text NOT NULL,
	`visibility` text NOT NULL,
	`actor` text NOT NULL,
	`at` text NOT NULL,
	PRIMARY KEY(`comment_id`, `revision`)
);
--> statement-breakpoint
CREATE TABLE `comments` (
	`id` text PRIMARY KEY NOT NULL,
	`entity` text NOT NULL,
	`record_id` text NOT NULL,
	`author` text NOT NULL,
	`visibility` text NOT NULL,
	`body` text NOT NULL,
	`revision` integer NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`deleted_at` text,
	`deleted_by` text
);
--> statement-breakpoint
CREATE INDEX `comments_record` ON `comments` (`entity`,`record_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `document_link_uses` (
	`link_id` text PRIMARY KEY NOT NULL,
	`document_id` text NOT NULL,
	`used_by` text NOT NULL,
	`used_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `document_versions` (
	`document_id` text NOT NULL,
	`version` integer NOT NULL,
	`sha256` text NOT NULL,
	`size_bytes` integer NOT NULL,
	`content_type` text NOT NULL,
	`filename` text NOT NULL,
	`uploaded_by` text NOT NULL,
	`uploaded_at` text NOT NULL,
	PRIMARY KEY(`document_id`, `version`)
);
--> statement-breakpoint
CREATE INDEX `document_versions_sha` ON `document_versions` (`sha256`);