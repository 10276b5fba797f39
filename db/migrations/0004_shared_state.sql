CREATE TABLE `auth_generation` (
	`id` integer PRIMARY KEY NOT NULL,
	`n` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `file_leases` (
	`movie_id` text NOT NULL,
	`path` text NOT NULL,
	`holder` text NOT NULL,
	`bytes` integer DEFAULT 0 NOT NULL,
	`expires_at` integer NOT NULL,
	PRIMARY KEY(`movie_id`, `path`),
	FOREIGN KEY (`movie_id`) REFERENCES `movies`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `login_failures` (
	`key` text PRIMARY KEY NOT NULL,
	`count` integer NOT NULL,
	`reset_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `login_failures_reset_idx` ON `login_failures` (`reset_at`);--> statement-breakpoint
-- Hand-written (drizzle-kit does not declare rows or triggers): the one row, and what moves it.
INSERT INTO `auth_generation` (`id`, `n`) VALUES (1, 0);
--> statement-breakpoint
CREATE TRIGGER `auth_generation_session_ad` AFTER DELETE ON `sessions` BEGIN
  UPDATE `auth_generation` SET `n` = `n` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `auth_generation_user_au` AFTER UPDATE OF `username`, `role`, `active` ON `users` BEGIN
  UPDATE `auth_generation` SET `n` = `n` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `auth_generation_user_ad` AFTER DELETE ON `users` BEGIN
  UPDATE `auth_generation` SET `n` = `n` + 1 WHERE `id` = 1;
END;
