/**
 * Which audio track and which subtitles a viewer starts with: what they chose last time when the
 * movie has it, otherwise their browser's language. Pure functions, tested without a browser
 * (tests/player/track-choice.test.ts).
 * @module
 */
import { sameLanguage } from '../../../server/lib/languages.ts'
import type { TrackPreferences } from './track-preferences.ts'

/** An audio or subtitle track as the menus know it. */
export interface TrackOption {
  /** The AdaptationSet's id. */
  key: string
  lang: string | null
  label: string
  /** DASH roles: main, alternate, subtitle, forced-subtitle, caption. */
  roles: readonly string[]
}

const isForced = (t: TrackOption) => t.roles.includes('forced-subtitle')

/**
 * The audio track to start with: the remembered language, else the first of the browser's
 * languages the movie has, else the main track, else the first.
 * @example chooseAudio([ja(main), en], { audio: null, subtitles: null }, ['en-US']) // en
 */
export function chooseAudio(
  tracks: readonly TrackOption[],
  prefs: TrackPreferences,
  browser: readonly string[],
): TrackOption | null {
  const inLanguage = (lang: string | null) => {
    const found = tracks.filter((t) => sameLanguage(t.lang, lang))
    return found.find((t) => t.roles.includes('main')) ?? found[0]
  }
  return (
    inLanguage(prefs.audio) ??
    browser.map(inLanguage).find((t) => t !== undefined) ??
    tracks.find((t) => t.roles.includes('main')) ??
    tracks[0] ??
    null
  )
}

/** A subtitle track of a language, dialogue before captions, never the forced one. */
function fullSubtitles(tracks: readonly TrackOption[], lang: string | null): TrackOption | undefined {
  const found = tracks.filter((t) => !isForced(t) && sameLanguage(t.lang, lang))
  return found.find((t) => t.roles.includes('subtitle')) ?? found[0]
}

/**
 * The forced subtitles (signs, foreign lines) for `audioLang`: shown while subtitles are "off",
 * since the audio does not translate them.
 */
export function forcedSubtitles(
  tracks: readonly TrackOption[],
  audioLang: string | null,
): TrackOption | null {
  return tracks.find((t) => isForced(t) && sameLanguage(t.lang, audioLang)) ?? null
}

/**
 * The subtitles to start with (null: off): the remembered language (or "off"); otherwise, when the
 * audio is not in the viewer's first language, subtitles in the first browser language the movie
 * has.
 */
export function chooseSubtitles(
  tracks: readonly TrackOption[],
  audioLang: string | null,
  prefs: TrackPreferences,
  browser: readonly string[],
): TrackOption | null {
  if (prefs.subtitles === 'off') return null
  if (prefs.subtitles) {
    const remembered = fullSubtitles(tracks, prefs.subtitles)
    if (remembered) return remembered
  }
  if (browser[0] && sameLanguage(audioLang, browser[0])) return null
  for (const lang of browser) {
    if (sameLanguage(audioLang, lang)) return null
    const found = fullSubtitles(tracks, lang)
    if (found) return found
  }
  return null
}
