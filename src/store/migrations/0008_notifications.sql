CREATE TABLE `approval_links` (
	`token_hash` text PRIMARY KEY NOT NULL,
	`time_entry_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`delivery_id` text,
	`expires_at` text NOT NULL,
	`used_at` text,
	`created_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `approval_links_delivery` ON `approval_links` (`delivery_id`);--> statement-breakpoint
CREATE TABLE `notification_cursors` (
	`name` text PRIMARY KEY NOT NULL,
	`seq` integer NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `notification_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`dedupe_key` text NOT NULL,
	`event_seq` integer,
	`event_type` text NOT NULL,
	`channel` text NOT NULL,
	`target` text NOT NULL,
	`contact_id` text,
	`subscription_id` text,
	`address` text NOT NULL,
	`entity` text,
	`canonical_id` text,
	`client_id` text,
	`status` text NOT NULL,
	`attempts` integer NOT NULL,
	`next_at` text NOT NULL,
	`claimed_until` text,
	`last_error` text,
	`message_id` text,
	`local_date` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`sent_at` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notification_deliveries_key` ON `notification_deliveries` (`dedupe_key`);--> statement-breakpoint
CREATE INDEX `notification_deliveries_due` ON `notification_deliveries` (`status`,`next_at`);--> statement-breakpoint
CREATE INDEX `notification_deliveries_record` ON `notification_deliveries` (`entity`,`canonical_id`);--> statement-breakpoint
CREATE INDEX `notification_deliveries_contact` ON `notification_deliveries` (`contact_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `notification_preferences` (
	`contact_id` text PRIMARY KEY NOT NULL,
	`mode` text NOT NULL,
	`updated_at` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `notification_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`scope` text NOT NULL,
	`role` text NOT NULL,
	`event_type` text NOT NULL,
	`enabled` integer NOT NULL,
	`updated_at` text NOT NULL,
	`updated_by` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notification_rules_key` ON `notification_rules` (`scope`,`role`,`event_type`);--> statement-breakpoint
CREATE TABLE `notification_templates` (
	`event_type` text PRIMARY KEY NOT NULL,
	`subject` text NOT NULL,
	`text` text NOT NULL,
	`html` text NOT NULL,
	`updated_at` text NOT NULL,
	`updated_by` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `webhook_subscriptions` (
	`id` text PRIMARY KEY NOT NULL,
	`url` text NOT NULL,
	`secret_sealed` text NOT NULL,
	`event_types` text NOT NULL,
	`client_id` text,
	`description` text,
	`status` text NOT NULL,
	`created_at` text NOT NULL,
	`created_by` text NOT NULL
);
