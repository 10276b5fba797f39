ALTER TABLE `movies` ADD `audio_languages` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `movies` ADD `subtitles` text DEFAULT '[]' NOT NULL;