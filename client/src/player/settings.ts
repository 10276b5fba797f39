/**
 * dash.js settings tuned to start fast and then climb: start on a modest rendition (or what the
 * last visit measured), switch quickly, and keep a buffer that rides out short network dips.
 * @module
 */
import type { MediaPlayerSettingClass } from 'dashjs'
import { type AbrRule, abrSettings } from './abr.ts'

const THROUGHPUT_KEY = 'adh.throughputKbps'

/** Without history, start around 1 Mbit/s: the first segment arrives fast on almost any link. */
const DEFAULT_START_KBPS = 1000

/** What the last session measured (kbit/s), discounted, or a safe default. */
export function initialBitrateKbps(storage: Pick<Storage, 'getItem'> | null = safeStorage()): number {
  const saved = Number(storage?.getItem(THROUGHPUT_KEY))
  if (Number.isFinite(saved) && saved > 0) return Math.max(300, Math.round(saved * 0.7))
  return DEFAULT_START_KBPS
}

export function rememberThroughput(
  kbps: number,
  storage: Pick<Storage, 'setItem'> | null = safeStorage(),
): void {
  if (Number.isFinite(kbps) && kbps > 0) storage?.setItem(THROUGHPUT_KEY, String(Math.round(kbps)))
}

function safeStorage(): Storage | null {
  try {
    return window.localStorage
  } catch {
    return null // storage blocked (privacy mode, sandboxed frame)
  }
}

declare global {
  interface Window {
    /** Set by bench/playback.ts to measure dash.js's own defaults against these settings. */
    __adhDashDefaults?: boolean
  }
}

export function playerSettings(
  rule: AbrRule = 'ours',
  startKbps = initialBitrateKbps(),
): MediaPlayerSettingClass {
  if (typeof window !== 'undefined' && window.__adhDashDefaults) return {}
  return {
    streaming: {
      buffer: {
        // On an up-switch, replace buffered low-quality segments instead of playing them out.
        fastSwitchEnabled: true,
        bufferTimeDefault: 12,
        bufferTimeAtTopQuality: 30,
        bufferTimeAtTopQualityLongForm: 60,
      },
      abr: {
        // Audio stays on the rendition it starts with, the stereo one (the lowest bitrate): a 5.1
        // rendition beside it is for players that ask for it, never an "upgrade" mid-movie.
        autoSwitchBitrate: { video: true, audio: false },
        initialBitrate: { video: startKbps },
        // The player caps the bitrate to its own size itself (see capToSize), more leniently
        // than dash.js's portal limit, which drops 720p from a 1200-pixel-wide player.
        limitBitrateByPortal: false,
        ...abrSettings(rule),
      },
      // Subtitles: the player picks the track (tracks.ts) and draws the cues (subtitles.ts); dash.js
      // only loads them (with their cue settings, which its manual-rendering mode would drop), and
      // remembers no language of its own across movies.
      text: { defaultEnabled: false },
      lastMediaSettingsCachingInfo: { enabled: false },
      retryAttempts: { MPD: 2, MediaSegment: 3, InitializationSegment: 3 },
      retryIntervals: { MPD: 800, MediaSegment: 800, InitializationSegment: 800 },
    },
  }
}
