CREATE TABLE `auth_limits` (
	`key` text PRIMARY KEY NOT NULL,
	`count` integer NOT NULL,
	`reset_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `auth_limits_reset_idx` ON `auth_limits` (`reset_at`);--> statement-breakpoint
ALTER TABLE `api_tokens` ADD `scopes` text;--> statement-breakpoint
ALTER TABLE `api_tokens` ADD `expires_at` integer;--> statement-breakpoint
ALTER TABLE `movies` ADD `total_bytes` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `movies` ADD `file_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `sessions` ADD `user_agent` text;--> statement-breakpoint
CREATE INDEX `sessions_expires_idx` ON `sessions` (`expires_at`);--> statement-breakpoint
-- Written by hand (drizzle-kit does not declare triggers): movies.total_bytes and file_count follow
-- movie_files in the same transaction as each change, so they never drift from the rows.
UPDATE `movies` SET
  `total_bytes` = (SELECT coalesce(sum(`size`), 0) FROM `movie_files` WHERE `movie_id` = `movies`.`id`),
  `file_count` = (SELECT count(*) FROM `movie_files` WHERE `movie_id` = `movies`.`id`);
--> statement-breakpoint
CREATE TRIGGER `movie_files_count_ai` AFTER INSERT ON `movie_files` BEGIN
  UPDATE `movies` SET `total_bytes` = `total_bytes` + new.`size`, `file_count` = `file_count` + 1 WHERE `id` = new.`movie_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `movie_files_count_ad` AFTER DELETE ON `movie_files` BEGIN
  UPDATE `movies` SET `total_bytes` = `total_bytes` - old.`size`, `file_count` = `file_count` - 1 WHERE `id` = old.`movie_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `movie_files_count_au` AFTER UPDATE OF `size`, `movie_id` ON `movie_files` BEGIN
  UPDATE `movies` SET `total_bytes` = `total_bytes` - old.`size`, `file_count` = `file_count` - 1 WHERE `id` = old.`movie_id`;
  UPDATE `movies` SET `total_bytes` = `total_bytes` + new.`size`, `file_count` = `file_count` + 1 WHERE `id` = new.`movie_id`;
END;
