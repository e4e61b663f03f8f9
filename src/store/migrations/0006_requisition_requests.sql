CREATE TABLE `requisition_request_events` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`request_id` text NOT NULL,
	`at` text NOT NULL,
	`actor` text NOT NULL,
	`from_status` text,
	`to_status` text NOT NULL,
	`comment` text,
	FOREIGN KEY (`request_id`) REFERENCES `requisition_requests`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `requisition_request_events_request` ON `requisition_request_events` (`request_id`,`seq`);--> statement-breakpoint
CREATE TABLE `requisition_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`client_id` text NOT NULL,
	`worksite_id` text NOT NULL,
	`requested_by_id` text NOT NULL,
	`status` text NOT NULL,
	`fields` text NOT NULL,
	`requisition_id` text,
	`revision` integer DEFAULT 1 NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`requisition_id`) REFERENCES `requisitions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `requisition_requests_client` ON `requisition_requests` (`client_id`,`status`);--> statement-breakpoint
CREATE INDEX `requisition_requests_worksite` ON `requisition_requests` (`worksite_id`);--> statement-breakpoint
CREATE TABLE `requisition_templates` (
	`client_id` text PRIMARY KEY NOT NULL,
	`required` text NOT NULL,
	`requires_approval` integer NOT NULL,
	`updated_at` text NOT NULL,
	`updated_by` text NOT NULL,
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE no action
);
