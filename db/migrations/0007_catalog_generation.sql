CREATE TABLE `catalog_generation` (
	`id` integer PRIMARY KEY NOT NULL,
	`n` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
-- Hand-written (drizzle-kit does not declare rows or triggers): the one row, and what moves it:
-- anything the catalog's JSON shows anyone (server/services/catalog-cache.ts). A movie's file
-- totals (kept by the movie_files triggers of 0004 on every upload) are not shown: an update that
-- changes only them leaves the number alone, so uploads do not empty every process's cache.
INSERT INTO `catalog_generation` (`id`, `n`) VALUES (1, 0);
--> statement-breakpoint
CREATE TRIGGER `catalog_generation_movie_ai` AFTER INSERT ON `movies` BEGIN
  UPDATE `catalog_generation` SET `n` = `n` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `catalog_generation_movie_au` AFTER UPDATE ON `movies`
WHEN old.`total_bytes` IS new.`total_bytes` AND old.`file_count` IS new.`file_count` BEGIN
  UPDATE `catalog_generation` SET `n` = `n` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `catalog_generation_movie_ad` AFTER DELETE ON `movies` BEGIN
  UPDATE `catalog_generation` SET `n` = `n` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `catalog_generation_series_au` AFTER UPDATE ON `series` BEGIN
  UPDATE `catalog_generation` SET `n` = `n` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `catalog_generation_series_ad` AFTER DELETE ON `series` BEGIN
  UPDATE `catalog_generation` SET `n` = `n` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `catalog_generation_user_au` AFTER UPDATE OF `username` ON `users` BEGIN
  UPDATE `catalog_generation` SET `n` = `n` + 1 WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `catalog_generation_user_ad` AFTER DELETE ON `users` BEGIN
  UPDATE `catalog_generation` SET `n` = `n` + 1 WHERE `id` = 1;
END;
