CREATE TABLE "api_keys" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"secret_hash" text NOT NULL,
	"owner_kind" text NOT NULL,
	"owner_id" text,
	"role" text,
	"scopes" text NOT NULL,
	"client_id" text,
	"worksite_id" text,
	"expires_at" text,
	"last_used_at" text,
	"revoked_at" text,
	"created_at" text NOT NULL,
	"created_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "approval_links" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"time_entry_id" text NOT NULL,
	"contact_id" text NOT NULL,
	"delivery_id" text,
	"expires_at" text NOT NULL,
	"used_at" text,
	"created_at" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "assignment_rates" (
	"id" text PRIMARY KEY NOT NULL,
	"revision" bigint DEFAULT 1 NOT NULL,
	"created_at" text NOT NULL,
	"updated_at" text NOT NULL,
	"changed_at" text,
	"deleted_at" text,
	"assignment_id" text NOT NULL,
	"effective_from" text NOT NULL,
	"pay_rate_cents" bigint NOT NULL,
	"bill_rate_cents" bigint NOT NULL,
	"ot_pay_rate_cents" bigint,
	"ot_bill_rate_cents" bigint,
	"dt_pay_rate_cents" bigint,
	"dt_bill_rate_cents" bigint
);
--> statement-breakpoint
CREATE TABLE "assignments" (
	"id" text PRIMARY KEY NOT NULL,
	"revision" bigint DEFAULT 1 NOT NULL,
	"created_at" text NOT NULL,
	"updated_at" text NOT NULL,
	"changed_at" text,
	"deleted_at" text,
	"candidate_id" text NOT NULL,
	"requisition_id" text,
	"worksite_id" text,
	"approver_contact_id" text,
	"title" text,
	"start_date" text NOT NULL,
	"end_date" text,
	"status" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"id" text NOT NULL,
	"at" text NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" text,
	"on_behalf_of" text,
	"action" text NOT NULL,
	"target_type" text,
	"target_id" text,
	"outcome" text NOT NULL,
	"reason" text,
	"credential" text,
	"ip" text,
	"user_agent" text,
	"request_id" text
);
--> statement-breakpoint
CREATE TABLE "candidates" (
	"id" text PRIMARY KEY NOT NULL,
	"revision" bigint DEFAULT 1 NOT NULL,
	"created_at" text NOT NULL,
	"updated_at" text NOT NULL,
	"changed_at" text,
	"deleted_at" text,
	"first_name" text NOT NULL,
	"last_name" text NOT NULL,
	"email" text,
	"phone" text,
	"city" text,
	"state" text,
	"status" text NOT NULL,
	"employee_type" text
);
--> statement-breakpoint
CREATE TABLE "clients" (
	"id" text PRIMARY KEY NOT NULL,
	"revision" bigint DEFAULT 1 NOT NULL,
	"created_at" text NOT NULL,
	"updated_at" text NOT NULL,
	"changed_at" text,
	"deleted_at" text,
	"name" text NOT NULL,
	"status" text NOT NULL,
	"phone" text,
	"website" text,
	"billing_frequency" text,
	"address_line1" text,
	"city" text,
	"state" text,
	"postal_code" text
);
--> statement-breakpoint
CREATE TABLE "comment_revisions" (
	"comment_id" text NOT NULL,
	"revision" bigint NOT NULL,
	"action" text NOT NULL,
	"body" text NOT NULL,
	"visibility" text NOT NULL,
	"actor" text NOT NULL,
	"at" text NOT NULL,
	CONSTRAINT "comment_revisions_comment_id_revision_pk" PRIMARY KEY("comment_id","revision")
);
--> statement-breakpoint
CREATE TABLE "comments" (
	"id" text PRIMARY KEY NOT NULL,
	"entity" text NOT NULL,
	"record_id" text NOT NULL,
	"author" text NOT NULL,
	"visibility" text NOT NULL,
	"body" text NOT NULL,
	"revision" bigint NOT NULL,
	"created_at" text NOT NULL,
	"updated_at" text NOT NULL,
	"deleted_at" text,
	"deleted_by" text
);
--> statement-breakpoint
CREATE TABLE "conflicts" (
	"id" text PRIMARY KEY NOT NULL,
	"entity" text NOT NULL,
	"canonical_id" text NOT NULL,
	"field" text NOT NULL,
	"system" text NOT NULL,
	"external_id" text NOT NULL,
	"base" text,
	"current" text,
	"incoming" text,
	"status" text NOT NULL,
	"opened_at" text NOT NULL,
	"source_modified_at" text,
	"run_id" text,
	"resolved_at" text,
	"resolved_by" text,
	"resolution" text,
	"resolved_value" text,
	"resolution_reason" text
);
--> statement-breakpoint
CREATE TABLE "connector_state" (
	"system" text NOT NULL,
	"key" text NOT NULL,
	"value" text NOT NULL,
	"updated_at" text NOT NULL,
	CONSTRAINT "connector_state_system_key_pk" PRIMARY KEY("system","key")
);
--> statement-breakpoint
CREATE TABLE "contact_worksite_roles" (
	"id" text PRIMARY KEY NOT NULL,
	"revision" bigint DEFAULT 1 NOT NULL,
	"created_at" text NOT NULL,
	"updated_at" text NOT NULL,
	"changed_at" text,
	"deleted_at" text,
	"contact_id" text NOT NULL,
	"worksite_id" text NOT NULL,
	"role" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "contacts" (
	"id" text PRIMARY KEY NOT NULL,
	"revision" bigint DEFAULT 1 NOT NULL,
	"created_at" text NOT NULL,
	"updated_at" text NOT NULL,
	"changed_at" text,
	"deleted_at" text,
	"client_id" text NOT NULL,
	"first_name" text NOT NULL,
	"last_name" text NOT NULL,
	"email" text,
	"phone" text,
	"title" text,
	"status" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "csv_import_errors" (
	"import_id" text NOT NULL,
	"seq" bigint NOT NULL,
	"line" bigint NOT NULL,
	"column" text,
	"value" text,
	"reason" text NOT NULL,
	CONSTRAINT "csv_import_errors_import_id_seq_pk" PRIMARY KEY("import_id","seq")
);
--> statement-breakpoint
CREATE TABLE "csv_imports" (
	"id" text PRIMARY KEY NOT NULL,
	"file_sha256" text NOT NULL,
	"source" text NOT NULL,
	"kind" text NOT NULL,
	"file_name" text,
	"size_bytes" bigint NOT NULL,
	"encoding" text,
	"delimiter" text,
	"status" text NOT NULL,
	"run_id" text,
	"next_record" bigint DEFAULT 0 NOT NULL,
	"next_line" bigint DEFAULT 0 NOT NULL,
	"counts" text,
	"error_count" bigint DEFAULT 0 NOT NULL,
	"owner" text,
	"heartbeat_at" text,
	"error" text,
	"started_at" text NOT NULL,
	"finished_at" text
);
--> statement-breakpoint
CREATE TABLE "document_link_uses" (
	"link_id" text PRIMARY KEY NOT NULL,
	"document_id" text NOT NULL,
	"used_by" text NOT NULL,
	"used_at" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "document_versions" (
	"document_id" text NOT NULL,
	"version" bigint NOT NULL,
	"sha256" text NOT NULL,
	"size_bytes" bigint NOT NULL,
	"content_type" text NOT NULL,
	"filename" text NOT NULL,
	"uploaded_by" text NOT NULL,
	"uploaded_at" text NOT NULL,
	CONSTRAINT "document_versions_document_id_version_pk" PRIMARY KEY("document_id","version")
);
--> statement-breakpoint
CREATE TABLE "documents" (
	"id" text PRIMARY KEY NOT NULL,
	"revision" bigint DEFAULT 1 NOT NULL,
	"created_at" text NOT NULL,
	"updated_at" text NOT NULL,
	"changed_at" text,
	"deleted_at" text,
	"owner_entity" text NOT NULL,
	"owner_id" text NOT NULL,
	"type" text NOT NULL,
	"title" text NOT NULL,
	"version" bigint NOT NULL,
	"sha256" text NOT NULL,
	"content_type" text,
	"size_bytes" bigint,
	"visibility" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "grants" (
	"id" text PRIMARY KEY NOT NULL,
	"subject_kind" text NOT NULL,
	"subject_id" text NOT NULL,
	"role" text NOT NULL,
	"client_id" text,
	"worksite_id" text,
	"for_contact_id" text,
	"valid_from" text,
	"valid_to" text,
	"created_at" text NOT NULL,
	"created_by" text NOT NULL,
	"revoked_at" text,
	"revoked_by" text
);
--> statement-breakpoint
CREATE TABLE "hub_invoices" (
	"invoice_id" text PRIMARY KEY NOT NULL,
	"client_id" text NOT NULL,
	"period_start" text NOT NULL,
	"period_end" text NOT NULL,
	"drafted_at" text NOT NULL,
	"drafted_by" text NOT NULL,
	"issued_at" text,
	"issued_by" text,
	"held" text DEFAULT '[]' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"scope_key" text PRIMARY KEY NOT NULL,
	"method" text NOT NULL,
	"path" text NOT NULL,
	"body_hash" text NOT NULL,
	"status" bigint,
	"response_body" text,
	"content_type" text,
	"created_at" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "identity_reviews" (
	"id" text PRIMARY KEY NOT NULL,
	"system" text NOT NULL,
	"entity" text NOT NULL,
	"external_id" text NOT NULL,
	"status" text NOT NULL,
	"reason" text NOT NULL,
	"evidence" text NOT NULL,
	"opened_at" text NOT NULL,
	"updated_at" text NOT NULL,
	"decided_at" text,
	"decided_by" text,
	"canonical_id" text
);
--> statement-breakpoint
CREATE TABLE "inbox" (
	"id" text PRIMARY KEY NOT NULL,
	"system" text NOT NULL,
	"event_id" text NOT NULL,
	"kind" text NOT NULL,
	"entity" text,
	"external_id" text,
	"payload" text NOT NULL,
	"headers" text,
	"status" text NOT NULL,
	"attempts" bigint DEFAULT 0 NOT NULL,
	"last_error" text,
	"received_at" text NOT NULL,
	"processed_at" text
);
--> statement-breakpoint
CREATE TABLE "invoice_line_time_entries" (
	"line_id" text NOT NULL,
	"invoice_id" text NOT NULL,
	"time_entry_id" text NOT NULL,
	"hour_type" text NOT NULL,
	"centi_hours" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "invoice_lines" (
	"id" text PRIMARY KEY NOT NULL,
	"revision" bigint DEFAULT 1 NOT NULL,
	"created_at" text NOT NULL,
	"updated_at" text NOT NULL,
	"changed_at" text,
	"deleted_at" text,
	"invoice_id" text NOT NULL,
	"assignment_id" text,
	"time_entry_id" text,
	"kind" text NOT NULL,
	"description" text,
	"quantity" double precision NOT NULL,
	"rate_cents" bigint NOT NULL,
	"amount_cents" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "invoices" (
	"id" text PRIMARY KEY NOT NULL,
	"revision" bigint DEFAULT 1 NOT NULL,
	"created_at" text NOT NULL,
	"updated_at" text NOT NULL,
	"changed_at" text,
	"deleted_at" text,
	"client_id" text NOT NULL,
	"number" text NOT NULL,
	"issue_date" text NOT NULL,
	"due_date" text,
	"period_start" text,
	"period_end" text,
	"status" text NOT NULL,
	"total_cents" bigint NOT NULL,
	"currency" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ledger" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"at" text NOT NULL,
	"direction" text NOT NULL,
	"system" text NOT NULL,
	"entity" text NOT NULL,
	"canonical_id" text,
	"external_id" text,
	"action" text NOT NULL,
	"outcome" text NOT NULL,
	"diff" text,
	"reason" text,
	"source_modified_at" text,
	"actor" text,
	"run_id" text,
	"job_id" text
);
--> statement-breakpoint
CREATE TABLE "links" (
	"system" text NOT NULL,
	"entity" text NOT NULL,
	"external_id" text NOT NULL,
	"canonical_id" text,
	"state" text NOT NULL,
	"base" text,
	"source_hash" text,
	"source_modified_at" text,
	"pending" text,
	"waiting_on" text,
	"reason" text,
	"meta" text,
	"tombstoned_at" text,
	"seen_run_id" text,
	"created_at" text NOT NULL,
	"updated_at" text NOT NULL,
	CONSTRAINT "links_system_entity_external_id_pk" PRIMARY KEY("system","entity","external_id")
);
--> statement-breakpoint
CREATE TABLE "magic_links" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"contact_id" text NOT NULL,
	"email" text NOT NULL,
	"created_at" text NOT NULL,
	"expires_at" text NOT NULL,
	"used_at" text,
	"revoked_at" text,
	"ip" text
);
--> statement-breakpoint
CREATE TABLE "notification_cursors" (
	"name" text PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"updated_at" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notification_deliveries" (
	"id" text PRIMARY KEY NOT NULL,
	"dedupe_key" text NOT NULL,
	"event_seq" bigint,
	"event_type" text NOT NULL,
	"channel" text NOT NULL,
	"target" text NOT NULL,
	"contact_id" text,
	"subscription_id" text,
	"address" text NOT NULL,
	"entity" text,
	"canonical_id" text,
	"client_id" text,
	"status" text NOT NULL,
	"attempts" bigint NOT NULL,
	"next_at" text NOT NULL,
	"claimed_until" text,
	"last_error" text,
	"message_id" text,
	"local_date" text,
	"created_at" text NOT NULL,
	"updated_at" text NOT NULL,
	"sent_at" text
);
--> statement-breakpoint
CREATE TABLE "notification_preferences" (
	"contact_id" text PRIMARY KEY NOT NULL,
	"mode" text NOT NULL,
	"updated_at" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notification_rules" (
	"id" text PRIMARY KEY NOT NULL,
	"scope" text NOT NULL,
	"role" text NOT NULL,
	"event_type" text NOT NULL,
	"enabled" bigint NOT NULL,
	"updated_at" text NOT NULL,
	"updated_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notification_templates" (
	"event_type" text PRIMARY KEY NOT NULL,
	"subject" text NOT NULL,
	"text" text NOT NULL,
	"html" text NOT NULL,
	"updated_at" text NOT NULL,
	"updated_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ops_issues" (
	"id" text PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"check" text NOT NULL,
	"system" text NOT NULL,
	"title" text NOT NULL,
	"detail" text NOT NULL,
	"first_seen" text NOT NULL,
	"last_seen" text NOT NULL,
	"count" bigint NOT NULL,
	"resolved_at" text
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" text PRIMARY KEY NOT NULL,
	"system" text NOT NULL,
	"entity" text NOT NULL,
	"canonical_id" text NOT NULL,
	"op" text NOT NULL,
	"fields" text NOT NULL,
	"reason" text NOT NULL,
	"status" text NOT NULL,
	"attempts" bigint DEFAULT 0 NOT NULL,
	"last_error" text,
	"idempotency_key" text NOT NULL,
	"external_id" text,
	"created_at" text NOT NULL,
	"updated_at" text NOT NULL,
	"next_attempt_at" text,
	"waiting_on" text,
	"done_at" text
);
--> statement-breakpoint
CREATE TABLE "portal_events" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"entity" text NOT NULL,
	"canonical_id" text,
	"client_id" text,
	"worksite_id" text,
	"actor" text,
	"recipients" text NOT NULL,
	"data" text NOT NULL,
	"at" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reconcile_staging" (
	"run_id" text NOT NULL,
	"external_id" text NOT NULL,
	"entity" text NOT NULL,
	"hash" text NOT NULL,
	"source_modified_at" text,
	"deleted" bigint DEFAULT 0 NOT NULL,
	"page" bigint NOT NULL,
	CONSTRAINT "reconcile_staging_run_id_external_id_entity_pk" PRIMARY KEY("run_id","external_id","entity")
);
--> statement-breakpoint
CREATE TABLE "requisition_request_events" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"request_id" text NOT NULL,
	"at" text NOT NULL,
	"actor" text NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"comment" text
);
--> statement-breakpoint
CREATE TABLE "requisition_requests" (
	"id" text PRIMARY KEY NOT NULL,
	"client_id" text NOT NULL,
	"worksite_id" text NOT NULL,
	"requested_by_id" text NOT NULL,
	"status" text NOT NULL,
	"fields" text NOT NULL,
	"requisition_id" text,
	"revision" bigint DEFAULT 1 NOT NULL,
	"created_at" text NOT NULL,
	"updated_at" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "requisition_templates" (
	"client_id" text PRIMARY KEY NOT NULL,
	"required" text NOT NULL,
	"requires_approval" bigint NOT NULL,
	"updated_at" text NOT NULL,
	"updated_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "requisitions" (
	"id" text PRIMARY KEY NOT NULL,
	"revision" bigint DEFAULT 1 NOT NULL,
	"created_at" text NOT NULL,
	"updated_at" text NOT NULL,
	"changed_at" text,
	"deleted_at" text,
	"client_id" text NOT NULL,
	"worksite_id" text,
	"requested_by_id" text,
	"title" text NOT NULL,
	"status" text NOT NULL,
	"employment_type" text NOT NULL,
	"openings" bigint NOT NULL,
	"start_date" text,
	"end_date" text,
	"pay_rate_cents" bigint,
	"bill_rate_cents" bigint
);
--> statement-breakpoint
CREATE TABLE "runs" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"system" text NOT NULL,
	"entity" text,
	"status" text NOT NULL,
	"cursor" text,
	"counts" text,
	"report" text,
	"error" text,
	"started_at" text NOT NULL,
	"finished_at" text
);
--> statement-breakpoint
CREATE TABLE "schedule_slots" (
	"id" text PRIMARY KEY NOT NULL,
	"job" text NOT NULL,
	"system" text NOT NULL,
	"payload" text NOT NULL,
	"claimed_at" text NOT NULL,
	"enqueued_at" text
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"secret_hash" text NOT NULL,
	"kind" text NOT NULL,
	"principal_kind" text NOT NULL,
	"principal_id" text NOT NULL,
	"on_behalf_of" text,
	"read_only" bigint NOT NULL,
	"created_at" text NOT NULL,
	"last_seen_at" text NOT NULL,
	"expires_at" text NOT NULL,
	"revoked_at" text,
	"ip" text,
	"user_agent" text
);
--> statement-breakpoint
CREATE TABLE "submissions" (
	"id" text PRIMARY KEY NOT NULL,
	"revision" bigint DEFAULT 1 NOT NULL,
	"created_at" text NOT NULL,
	"updated_at" text NOT NULL,
	"changed_at" text,
	"deleted_at" text,
	"candidate_id" text NOT NULL,
	"requisition_id" text NOT NULL,
	"status" text NOT NULL,
	"submitted_at" text,
	"bill_rate_cents" bigint
);
--> statement-breakpoint
CREATE TABLE "sync_cursors" (
	"system" text NOT NULL,
	"entity" text NOT NULL,
	"cursor" text NOT NULL,
	"updated_at" text NOT NULL,
	CONSTRAINT "sync_cursors_system_entity_pk" PRIMARY KEY("system","entity")
);
--> statement-breakpoint
CREATE TABLE "time_entries" (
	"id" text PRIMARY KEY NOT NULL,
	"revision" bigint DEFAULT 1 NOT NULL,
	"created_at" text NOT NULL,
	"updated_at" text NOT NULL,
	"changed_at" text,
	"deleted_at" text,
	"assignment_id" text NOT NULL,
	"work_date" text NOT NULL,
	"regular_hours" double precision NOT NULL,
	"overtime_hours" double precision NOT NULL,
	"double_time_hours" double precision NOT NULL,
	"status" text NOT NULL,
	"approved_by_id" text,
	"approved_at" text,
	"note" text,
	"adjusts_entry_id" text,
	"dispute_reason" text,
	"payroll_held_until" text
);
--> statement-breakpoint
CREATE TABLE "time_entry_events" (
	"id" text PRIMARY KEY NOT NULL,
	"revision" bigint DEFAULT 1 NOT NULL,
	"created_at" text NOT NULL,
	"updated_at" text NOT NULL,
	"changed_at" text,
	"deleted_at" text,
	"time_entry_id" text NOT NULL,
	"at" text NOT NULL,
	"actor" text NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"comment" text
);
--> statement-breakpoint
CREATE TABLE "time_nudges" (
	"time_entry_id" text NOT NULL,
	"submitted_at" text NOT NULL,
	"kind" text NOT NULL,
	"at" text NOT NULL,
	CONSTRAINT "time_nudges_time_entry_id_submitted_at_kind_pk" PRIMARY KEY("time_entry_id","submitted_at","kind")
);
--> statement-breakpoint
CREATE TABLE "time_reminder_settings" (
	"client_id" text PRIMARY KEY NOT NULL,
	"reminder_after_hours" bigint NOT NULL,
	"escalate_after_hours" bigint NOT NULL,
	"escalate_to" text NOT NULL,
	"updated_at" text NOT NULL,
	"updated_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"name" text,
	"role" text NOT NULL,
	"password_hash" text,
	"status" text NOT NULL,
	"created_at" text NOT NULL,
	"updated_at" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhook_subscriptions" (
	"id" text PRIMARY KEY NOT NULL,
	"url" text NOT NULL,
	"secret_sealed" text NOT NULL,
	"event_types" text NOT NULL,
	"client_id" text,
	"description" text,
	"status" text NOT NULL,
	"created_at" text NOT NULL,
	"created_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "worksites" (
	"id" text PRIMARY KEY NOT NULL,
	"revision" bigint DEFAULT 1 NOT NULL,
	"created_at" text NOT NULL,
	"updated_at" text NOT NULL,
	"changed_at" text,
	"deleted_at" text,
	"client_id" text NOT NULL,
	"name" text NOT NULL,
	"status" text NOT NULL,
	"address_line1" text,
	"city" text,
	"state" text,
	"postal_code" text,
	"time_zone" text
);
--> statement-breakpoint
ALTER TABLE "assignment_rates" ADD CONSTRAINT "assignment_rates_assignment_id_assignments_id_fk" FOREIGN KEY ("assignment_id") REFERENCES "public"."assignments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_candidate_id_candidates_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."candidates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_requisition_id_requisitions_id_fk" FOREIGN KEY ("requisition_id") REFERENCES "public"."requisitions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_worksite_id_worksites_id_fk" FOREIGN KEY ("worksite_id") REFERENCES "public"."worksites"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_approver_contact_id_contacts_id_fk" FOREIGN KEY ("approver_contact_id") REFERENCES "public"."contacts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_worksite_roles" ADD CONSTRAINT "contact_worksite_roles_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_worksite_roles" ADD CONSTRAINT "contact_worksite_roles_worksite_id_worksites_id_fk" FOREIGN KEY ("worksite_id") REFERENCES "public"."worksites"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contacts" ADD CONSTRAINT "contacts_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "csv_import_errors" ADD CONSTRAINT "csv_import_errors_import_id_csv_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."csv_imports"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hub_invoices" ADD CONSTRAINT "hub_invoices_invoice_id_invoices_id_fk" FOREIGN KEY ("invoice_id") REFERENCES "public"."invoices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoice_line_time_entries" ADD CONSTRAINT "invoice_line_time_entries_time_entry_id_time_entries_id_fk" FOREIGN KEY ("time_entry_id") REFERENCES "public"."time_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoice_lines" ADD CONSTRAINT "invoice_lines_invoice_id_invoices_id_fk" FOREIGN KEY ("invoice_id") REFERENCES "public"."invoices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoice_lines" ADD CONSTRAINT "invoice_lines_assignment_id_assignments_id_fk" FOREIGN KEY ("assignment_id") REFERENCES "public"."assignments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoice_lines" ADD CONSTRAINT "invoice_lines_time_entry_id_time_entries_id_fk" FOREIGN KEY ("time_entry_id") REFERENCES "public"."time_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "requisition_request_events" ADD CONSTRAINT "requisition_request_events_request_id_requisition_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."requisition_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "requisition_requests" ADD CONSTRAINT "requisition_requests_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "requisition_requests" ADD CONSTRAINT "requisition_requests_requisition_id_requisitions_id_fk" FOREIGN KEY ("requisition_id") REFERENCES "public"."requisitions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "requisition_templates" ADD CONSTRAINT "requisition_templates_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "requisitions" ADD CONSTRAINT "requisitions_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "requisitions" ADD CONSTRAINT "requisitions_worksite_id_worksites_id_fk" FOREIGN KEY ("worksite_id") REFERENCES "public"."worksites"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "requisitions" ADD CONSTRAINT "requisitions_requested_by_id_contacts_id_fk" FOREIGN KEY ("requested_by_id") REFERENCES "public"."contacts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "submissions" ADD CONSTRAINT "submissions_candidate_id_candidates_id_fk" FOREIGN KEY ("candidate_id") REFERENCES "public"."candidates"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "submissions" ADD CONSTRAINT "submissions_requisition_id_requisitions_id_fk" FOREIGN KEY ("requisition_id") REFERENCES "public"."requisitions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "time_entries" ADD CONSTRAINT "time_entries_assignment_id_assignments_id_fk" FOREIGN KEY ("assignment_id") REFERENCES "public"."assignments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "time_entries" ADD CONSTRAINT "time_entries_approved_by_id_contacts_id_fk" FOREIGN KEY ("approved_by_id") REFERENCES "public"."contacts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "time_entry_events" ADD CONSTRAINT "time_entry_events_time_entry_id_time_entries_id_fk" FOREIGN KEY ("time_entry_id") REFERENCES "public"."time_entries"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "worksites" ADD CONSTRAINT "worksites_client_id_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "api_keys_owner" ON "api_keys" USING btree ("owner_kind","owner_id");--> statement-breakpoint
CREATE INDEX "approval_links_delivery" ON "approval_links" USING btree ("delivery_id");--> statement-breakpoint
CREATE INDEX "assignment_rates_effective" ON "assignment_rates" USING btree ("assignment_id","effective_from");--> statement-breakpoint
CREATE INDEX "assignments_candidate" ON "assignments" USING btree ("candidate_id");--> statement-breakpoint
CREATE INDEX "assignments_worksite" ON "assignments" USING btree ("worksite_id");--> statement-breakpoint
CREATE INDEX "assignments_requisition" ON "assignments" USING btree ("requisition_id");--> statement-breakpoint
CREATE INDEX "audit_at" ON "audit_log" USING btree ("at");--> statement-breakpoint
CREATE INDEX "audit_actor" ON "audit_log" USING btree ("actor_type","actor_id");--> statement-breakpoint
CREATE INDEX "audit_target" ON "audit_log" USING btree ("target_type","target_id");--> statement-breakpoint
CREATE INDEX "candidates_email" ON "candidates" USING btree (lower("email"));--> statement-breakpoint
CREATE INDEX "comments_record" ON "comments" USING btree ("entity","record_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "conflicts_open" ON "conflicts" USING btree ("entity","canonical_id","field","system") WHERE "conflicts"."status" = 'open';--> statement-breakpoint
CREATE INDEX "conflicts_status" ON "conflicts" USING btree ("status","opened_at");--> statement-breakpoint
CREATE INDEX "cwr_worksite_role" ON "contact_worksite_roles" USING btree ("worksite_id","role");--> statement-breakpoint
CREATE INDEX "cwr_contact" ON "contact_worksite_roles" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "contacts_client" ON "contacts" USING btree ("client_id");--> statement-breakpoint
CREATE INDEX "contacts_email" ON "contacts" USING btree (lower("email"));--> statement-breakpoint
CREATE UNIQUE INDEX "csv_imports_live" ON "csv_imports" USING btree ("file_sha256","source","kind") WHERE "csv_imports"."status" IN ('running', 'succeeded');--> statement-breakpoint
CREATE INDEX "csv_imports_started" ON "csv_imports" USING btree ("started_at");--> statement-breakpoint
CREATE INDEX "document_versions_sha" ON "document_versions" USING btree ("sha256");--> statement-breakpoint
CREATE INDEX "documents_owner" ON "documents" USING btree ("owner_entity","owner_id");--> statement-breakpoint
CREATE INDEX "grants_subject" ON "grants" USING btree ("subject_kind","subject_id");--> statement-breakpoint
CREATE INDEX "grants_worksite" ON "grants" USING btree ("worksite_id");--> statement-breakpoint
CREATE UNIQUE INDEX "hub_invoices_one_draft" ON "hub_invoices" USING btree ("client_id","period_start") WHERE issued_at IS NULL;--> statement-breakpoint
CREATE INDEX "idempotency_created" ON "idempotency_keys" USING btree ("created_at") WHERE "idempotency_keys"."status" IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "identity_reviews_record" ON "identity_reviews" USING btree ("system","entity","external_id");--> statement-breakpoint
CREATE INDEX "identity_reviews_status" ON "identity_reviews" USING btree ("status","opened_at");--> statement-breakpoint
CREATE UNIQUE INDEX "inbox_event" ON "inbox" USING btree ("system","event_id");--> statement-breakpoint
CREATE INDEX "inbox_status" ON "inbox" USING btree ("status","received_at");--> statement-breakpoint
CREATE UNIQUE INDEX "invoice_line_time_entries_once" ON "invoice_line_time_entries" USING btree ("time_entry_id","hour_type");--> statement-breakpoint
CREATE INDEX "invoice_line_time_entries_invoice" ON "invoice_line_time_entries" USING btree ("invoice_id");--> statement-breakpoint
CREATE INDEX "invoice_lines_invoice" ON "invoice_lines" USING btree ("invoice_id");--> statement-breakpoint
CREATE INDEX "invoice_lines_time_entry" ON "invoice_lines" USING btree ("time_entry_id");--> statement-breakpoint
CREATE INDEX "invoices_client" ON "invoices" USING btree ("client_id");--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_number" ON "invoices" USING btree ("number");--> statement-breakpoint
CREATE INDEX "ledger_record" ON "ledger" USING btree ("entity","canonical_id","seq");--> statement-breakpoint
CREATE INDEX "ledger_run" ON "ledger" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "ledger_exceptions" ON "ledger" USING btree ("outcome","seq") WHERE "ledger"."outcome" <> 'applied';--> statement-breakpoint
CREATE UNIQUE INDEX "links_canonical" ON "links" USING btree ("entity","canonical_id","system");--> statement-breakpoint
CREATE INDEX "links_waiting" ON "links" USING btree ("waiting_on") WHERE "links"."waiting_on" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "magic_links_contact" ON "magic_links" USING btree ("contact_id");--> statement-breakpoint
CREATE UNIQUE INDEX "notification_deliveries_key" ON "notification_deliveries" USING btree ("dedupe_key");--> statement-breakpoint
CREATE INDEX "notification_deliveries_due" ON "notification_deliveries" USING btree ("status","next_at");--> statement-breakpoint
CREATE INDEX "notification_deliveries_record" ON "notification_deliveries" USING btree ("entity","canonical_id");--> statement-breakpoint
CREATE INDEX "notification_deliveries_contact" ON "notification_deliveries" USING btree ("contact_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "notification_rules_key" ON "notification_rules" USING btree ("scope","role","event_type");--> statement-breakpoint
CREATE INDEX "ops_issues_open" ON "ops_issues" USING btree ("resolved_at","key");--> statement-breakpoint
CREATE UNIQUE INDEX "outbox_pending" ON "outbox" USING btree ("system","entity","canonical_id") WHERE "outbox"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "outbox_waiting" ON "outbox" USING btree ("system","waiting_on") WHERE "outbox"."waiting_on" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "outbox_status" ON "outbox" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "portal_events_type" ON "portal_events" USING btree ("type","seq");--> statement-breakpoint
CREATE INDEX "portal_events_record" ON "portal_events" USING btree ("entity","canonical_id");--> statement-breakpoint
CREATE INDEX "requisition_request_events_request" ON "requisition_request_events" USING btree ("request_id","seq");--> statement-breakpoint
CREATE INDEX "requisition_requests_client" ON "requisition_requests" USING btree ("client_id","status");--> statement-breakpoint
CREATE INDEX "requisition_requests_worksite" ON "requisition_requests" USING btree ("worksite_id");--> statement-breakpoint
CREATE INDEX "requisitions_client" ON "requisitions" USING btree ("client_id");--> statement-breakpoint
CREATE INDEX "requisitions_worksite" ON "requisitions" USING btree ("worksite_id");--> statement-breakpoint
CREATE INDEX "runs_kind" ON "runs" USING btree ("kind","system","started_at");--> statement-breakpoint
CREATE INDEX "schedule_slots_claimed" ON "schedule_slots" USING btree ("claimed_at");--> statement-breakpoint
CREATE INDEX "sessions_principal" ON "sessions" USING btree ("principal_kind","principal_id");--> statement-breakpoint
CREATE INDEX "submissions_requisition" ON "submissions" USING btree ("requisition_id");--> statement-breakpoint
CREATE INDEX "submissions_candidate" ON "submissions" USING btree ("candidate_id");--> statement-breakpoint
CREATE INDEX "time_entries_assignment_date" ON "time_entries" USING btree ("assignment_id","work_date");--> statement-breakpoint
CREATE INDEX "time_entries_status_date" ON "time_entries" USING btree ("status","work_date");--> statement-breakpoint
CREATE INDEX "time_entries_adjusts" ON "time_entries" USING btree ("adjusts_entry_id");--> statement-breakpoint
CREATE INDEX "time_entry_events_entry" ON "time_entry_events" USING btree ("time_entry_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email" ON "users" USING btree ("email");--> statement-breakpoint
CREATE INDEX "worksites_client" ON "worksites" USING btree ("client_id");