CREATE TABLE `file_leases` (
	`movie_id` text NOT NULL,
	`path` text NOT NULL,
	`holder` text NOT NULL,
	`bytes` integer DEFAULT 0 NOT NULL,
	`expires_at` integer NOT NULL,
	PRIMARY KEY(`movie_id`, `path`),
	FOREIGN KEY (`movie_id`) REFERENCES `movies`(`id`) ON UPDATE no action ON DELETE cascade
);
