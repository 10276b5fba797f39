/**
 * The audio language and the subtitles a viewer chose last, remembered in this browser, and the
 * browser's own languages for when they chose nothing yet.
 * @module
 */

const AUDIO_KEY = 'adh.audioLanguage'
const SUBTITLES_KEY = 'adh.subtitles'

/** What the viewer chose: a language for audio; a language or "off" for subtitles. */
export interface TrackPreferences {
  audio: string | null
  /** "off", a language, or null when never chosen. */
  subtitles: string | null
}

function storage(): Storage | null {
  try {
    return window.localStorage
  } catch {
    return null // storage blocked (privacy mode, sandboxed frame)
  }
}

export function loadTrackPreferences(): TrackPreferences {
  const s = storage()
  return { audio: s?.getItem(AUDIO_KEY) ?? null, subtitles: s?.getItem(SUBTITLES_KEY) ?? null }
}

export function saveTrackPreference(kind: keyof TrackPreferences, value: string | null): void {
  const s = storage()
  const key = kind === 'audio' ? AUDIO_KEY : SUBTITLES_KEY
  try {
    if (value === null) s?.removeItem(key)
    else s?.setItem(key, value)
  } catch {
    // storage full or blocked: the choice simply is not remembered
  }
}

/** The languages the browser says its person reads, most preferred first. */
export function browserLanguages(): readonly string[] {
  const list = navigator.languages?.length ? navigator.languages : [navigator.language]
  return list.filter(Boolean)
}
