/**
 * @module Names proposed from file names: the series, season and episode a file of a season is,
 * from the usual release spellings (`Show S01E02`, `[Group] Show - 02 (1080p)`, `Show [02][1080p]`,
 * `Show 1x02`, `Show Episode 2`), and a movie name built from them.
 *
 * @example
 * parseEpisode('[SubsPlease] Frieren - 02 (1080p) [A1B2C3D4].mkv')
 * // { series: 'Frieren', season: null, episode: 2, name: 'Frieren, episode 2' }
 */

export interface EpisodeGuess {
  /** The series' name as the file spells it, or null when nothing says this is an episode. */
  series: string | null
  /** Only when the file name says it (S02E05, 2x05, "Season 2"). */
  season: number | null
  episode: number | null
  /** The movie name to propose. */
  name: string
}

const EXTENSION = /\.[A-Za-z0-9]{1,5}$/
/** `[SubsPlease]`, `(1080p)`, `[A1B2C3D4]`: tags that are not part of the title. */
const TAG = /\[[^\]]*\]|\([^)]*\)|\{[^}]*\}/g
/** Words that describe the release, not the content: everything from the first one on is dropped. */
const RELEASE_WORDS =
  /\b(?:\d{3,4}p|[248]k|x26[45]|h\.?26[45]|hevc|avc|aac\d?|flac|opus|ac3|dts|10-?bit|8-?bit|web(?:-?dl|rip)?|bluray|bdrip|bd|dvd(?:rip)?|hdtv|remux|multi|dual[ -]audio)\b/i

function tidy(text: string): string {
  return text
    .replace(/[_.]+/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/^[\s\-–—:,]+|[\s\-–—:,]+$/g, '')
    .trim()
}

/** "My holiday" from "my_holiday.final.MP4". */
export function nameFromFile(fileName: string): string {
  const base = tidy(fileName.replace(EXTENSION, ''))
  return (base.charAt(0).toUpperCase() + base.slice(1)).slice(0, 200) || 'Untitled'
}

/** "Frieren, episode 2", "Frieren, season 2, episode 5", "Frieren, special 1". */
export function episodeName(series: string, season: number | null, episode: number): string {
  if (season === 0) return `${series}, special ${episode}`
  return season !== null && season > 1
    ? `${series}, season ${season}, episode ${episode}`
    : `${series}, episode ${episode}`
}

interface Found {
  /** What comes before the numbers: the series' name. */
  before: string
  season: number | null
  episode: number
}

/** The first pattern that matches, most explicit first. */
function findNumbers(raw: string, clean: string): Found | null {
  const sxe = /\bS(\d{1,4})[ ._-]?E(\d{1,5})\b/i.exec(clean) ?? /\b(\d{1,2})x(\d{1,4})\b/.exec(clean)
  if (sxe) return { before: clean.slice(0, sxe.index), season: Number(sxe[1]), episode: Number(sxe[2]) }
  const seasonWord = /\b(?:S|Season )(\d{1,2})\b/i.exec(clean)
  const season = seasonWord ? Number(seasonWord[1]) : null
  const word = /\b(?:Episode|Ep|E)[ ._]?(\d{1,4})\b/i.exec(clean)
  if (word)
    return { before: clean.slice(0, seasonWord?.index ?? word.index), season, episode: Number(word[1]) }
  // "Show - 02", "Show - 02v2", "Show S2 - 05": the usual fansub spelling.
  const dash = /\s[-–—]\s(\d{1,4})(?:v\d)?(?=\s|$)/.exec(clean)
  if (dash)
    return { before: clean.slice(0, seasonWord?.index ?? dash.index), season, episode: Number(dash[1]) }
  // "Show [02][1080p]": a bracketed number that is not a resolution, a year or a checksum.
  const bracket = /\[(\d{1,4})(?:v\d)?\]/.exec(raw)
  if (bracket) {
    const n = Number(bracket[1])
    const before = raw.slice(0, bracket.index).replace(TAG, ' ').replace(/\./g, ' ')
    if (!(n >= 1900 && n <= 2100)) return { before, season, episode: n }
  }
  return null
}

/**
 * The series, season and episode a file name spells, and the movie name to propose; a file that
 * names no episode gets its tidied file name and nulls.
 */
export function parseEpisode(fileName: string): EpisodeGuess {
  const raw = fileName.replace(EXTENSION, '').replace(/_/g, ' ')
  // Release tags out, dots to spaces (but not inside "S01.E02"), and nothing after the first
  // release word ("1080p WEB-DL x264").
  let clean = raw.replace(TAG, ' ').replace(/\.(?!E\d)/gi, ' ')
  const release = RELEASE_WORDS.exec(clean)
  if (release) clean = clean.slice(0, release.index)
  clean = clean.replace(/\s+/g, ' ').trim()
  const found = findNumbers(raw, clean)
  if (!found) return { series: null, season: null, episode: null, name: nameFromFile(fileName) }
  const series = tidy(found.before.replace(/\b(?:S|Season )\d{1,2}\s*$/i, ''))
  if (!series) {
    return { series: null, season: found.season, episode: found.episode, name: nameFromFile(fileName) }
  }
  return {
    series,
    season: found.season,
    episode: found.episode,
    name: episodeName(series, found.season, found.episode).slice(0, 200),
  }
}
