-- The search index again, shaped for the queries the catalog sends (services/movies.ts, ftsQuery:
-- every word as a prefix, "word"*, never a phrase of several words):
-- * prefix indexes for every length from 1 to 12: FTS5 answers "word"* from the prefix index of
--   that length by walking one doclist in rowid order and stopping at the page size; with no index
--   of that length it first merges the doclists of every term that starts with the word, in memory.
--   A word in half the catalog took 3-8 ms that way, on every page (BENCHMARKS.md, "Catalog").
-- * detail = column: positions are only needed for phrases; without them the doclists are smaller,
--   which pays for the wider prefix indexes (100,000 movies: 51 MB of index instead of 38).
-- The triggers of 0001_search keep it in sync as before (they name the table, not its shape).
DROP TABLE `movies_fts`;
--> statement-breakpoint
CREATE VIRTUAL TABLE `movies_fts` USING fts5(`name`, `description`, content = 'movies', content_rowid = 'seq', tokenize = 'unicode61 remove_diacritics 2', detail = column, prefix = '1 2 3 4 5 6 7 8 9 10 11 12');
--> statement-breakpoint
INSERT INTO `movies_fts` (`movies_fts`) VALUES ('rebuild');
