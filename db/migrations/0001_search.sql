-- Full-text search over name and description (SQLite FTS5), an external-content index over
-- movies keyed on movies.seq. Prefix indexes make the "word*" queries the catalog sends cheap.
CREATE VIRTUAL TABLE `movies_fts` USING fts5(`name`, `description`, content = 'movies', content_rowid = 'seq', tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
--> statement-breakpoint
CREATE TRIGGER `movies_fts_ai` AFTER INSERT ON `movies` BEGIN
  INSERT INTO `movies_fts` (`rowid`, `name`, `description`) VALUES (new.`seq`, new.`name`, new.`description`);
END;
--> statement-breakpoint
CREATE TRIGGER `movies_fts_ad` AFTER DELETE ON `movies` BEGIN
  INSERT INTO `movies_fts` (`movies_fts`, `rowid`, `name`, `description`) VALUES ('delete', old.`seq`, old.`name`, old.`description`);
END;
--> statement-breakpoint
CREATE TRIGGER `movies_fts_au` AFTER UPDATE OF `name`, `description` ON `movies` BEGIN
  INSERT INTO `movies_fts` (`movies_fts`, `rowid`, `name`, `description`) VALUES ('delete', old.`seq`, old.`name`, old.`description`);
  INSERT INTO `movies_fts` (`rowid`, `name`, `description`) VALUES (new.`seq`, new.`name`, new.`description`);
END;
