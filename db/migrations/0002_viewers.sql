CREATE TABLE `invites` (
	`id` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`role` text DEFAULT 'viewer' NOT NULL,
	`created_by` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	`used_by` text,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`used_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `invites_token_hash_unique` ON `invites` (`token_hash`);--> statement-breakpoint
CREATE TABLE `progress` (
	`user_id` text NOT NULL,
	`movie_id` text NOT NULL,
	`position` real NOT NULL,
	`duration` real NOT NULL,
	`completed` integer DEFAULT false NOT NULL,
	`watched` integer DEFAULT false NOT NULL,
	`watched_at` integer,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `movie_id`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`movie_id`) REFERENCES `movies`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `progress_user_recent_idx` ON `progress` (`user_id`,`updated_at`);--> statement-breakpoint
CREATE TABLE `series` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`poster` text,
	`poster_sha256` text,
	`owner_id` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`owner_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `series_id_unique` ON `series` (`id`);--> statement-breakpoint
CREATE INDEX `series_name_idx` ON `series` (`name`);--> statement-breakpoint
CREATE INDEX `series_owner_idx` ON `series` (`owner_id`);--> statement-breakpoint
CREATE TABLE `watchlist` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`user_id` text NOT NULL,
	`movie_id` text,
	`series_id` text,
	`added_at` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`movie_id`) REFERENCES `movies`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`series_id`) REFERENCES `series`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "watchlist_one_item" CHECK(("watchlist"."movie_id" IS NULL) <> ("watchlist"."series_id" IS NULL))
);
--> statement-breakpoint
CREATE INDEX `watchlist_user_idx` ON `watchlist` (`user_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `watchlist_movie_unique` ON `watchlist` (`user_id`,`movie_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `watchlist_series_unique` ON `watchlist` (`user_id`,`series_id`);--> statement-breakpoint
-- drizzle-kit 0.31 drops the ON DELETE of a column added by ALTER TABLE; restored by hand to match
-- db/schema.ts and the snapshot (deleting a series unlinks its episodes).
ALTER TABLE `movies` ADD `series_id` text REFERENCES series(id) ON DELETE set null;--> statement-breakpoint
ALTER TABLE `movies` ADD `season` integer;--> statement-breakpoint
ALTER TABLE `movies` ADD `episode` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `movies_episode_unique` ON `movies` (`series_id`,`season`,`episode`);--> statement-breakpoint
ALTER TABLE `users` ADD `preferences` text DEFAULT '{}' NOT NULL;