/**
 * What a saved position means: when a movie counts as watched, when there is something to resume,
 * and which episode of a series comes next. Pure functions, shared by the progress, series and
 * catalog services.
 * @module
 */
import type { Progress } from '../../db/schema.ts'
import type { ProgressJson } from '../routes/movies/movies.schemas.ts'

/** Past this share of the duration a movie is watched… */
export const WATCHED_FRACTION = 0.9
/** …or within this many seconds of its end (the credits), once past the half-way point. */
export const CREDITS_SECONDS = 120
/** Less than this is a glance, not something to resume. */
export const RESUME_FROM_SECONDS = 5

/**
 * Whether a position is past the end threshold: 90% of the duration, or the last 120 s. The
 * 120 s rule waits for the half-way point, or a 3-minute clip would be "watched" after one.
 * @example isCompleted(1300, 1420) // true: 120 s left
 */
export function isCompleted(position: number, duration: number): boolean {
  return (
    position >= WATCHED_FRACTION * duration ||
    (duration - position <= CREDITS_SECONDS && position >= duration / 2)
  )
}

type ProgressState = Pick<Progress, 'position' | 'completed'>

/** Something to resume: started, and not past the end threshold. */
export const isInProgress = (p: ProgressState): boolean => !p.completed && p.position >= RESUME_FROM_SECONDS

export function progressToJson(p: Progress): ProgressJson {
  return {
    movieId: p.movieId,
    position: p.position,
    duration: p.duration,
    watched: p.watched,
    inProgress: isInProgress(p),
    watchedAt: p.watchedAt ? p.watchedAt.toISOString() : null,
    updatedAt: p.updatedAt.toISOString(),
  }
}

export interface EpisodeState {
  progress: Pick<Progress, 'position' | 'completed' | 'watched' | 'updatedAt'> | null
}

/**
 * The episode to watch next among a series' episodes, given in (season, episode) order: the one
 * in progress if the caller's latest activity in the series was to stop in the middle of it;
 * otherwise the first unwatched episode after the last watched one (in order, across seasons);
 * the first episode when nothing is watched; null when all after the last watched are watched.
 * @example nextToWatch([s1e1 watched, s1e2 watched, s2e1 untouched]) // s2e1
 */
export function nextToWatch<E extends EpisodeState>(episodes: readonly E[]): E | null {
  let latest: E | null = null
  let lastWatched = -1
  episodes.forEach((e, i) => {
    if (!e.progress) return
    if (!latest?.progress || e.progress.updatedAt > latest.progress.updatedAt) latest = e
    if (e.progress.watched) lastWatched = i
  })
  const recent = latest as E | null
  if (recent?.progress && isInProgress(recent.progress)) return recent
  for (let i = lastWatched + 1; i < episodes.length; i++) {
    if (!episodes[i]!.progress?.watched) return episodes[i]!
  }
  return null
}
