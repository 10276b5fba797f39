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
-- Hand-written (drizzle-kit does not declare rows or triggers): the one row, and what moves it.
-- Every deletion of a session counts: sign-out, and the sessions a password change, a reset or a
-- deactivation ends (auth/tokens.ts, endSessions).
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
