-- Full-text search over name and description (SQLite FTS5). The FTS table keeps its own copy
-- keyed by the movie id rather than the implicit rowid, which VACUUM may renumber.
CREATE VIRTUAL TABLE `movies_fts` USING fts5(`id` UNINDEXED, `name`, `description`, tokenize = 'unicode61 remove_diacritics 2');
--> statement-breakpoint
CREATE TRIGGER `movies_fts_ai` AFTER INSERT ON `movies` BEGIN
  INSERT INTO `movies_fts` (`id`, `name`, `description`) VALUES (new.`id`, new.`name`, new.`description`);
END;
--> statement-breakpoint
CREATE TRIGGER `movies_fts_ad` AFTER DELETE ON `movies` BEGIN
  DELETE FROM `movies_fts` WHERE `id` = old.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER `movies_fts_au` AFTER UPDATE OF `name`, `description` ON `movies` BEGIN
  UPDATE `movies_fts` SET `name` = new.`name`, `description` = new.`description` WHERE `id` = old.`id`;
END;
