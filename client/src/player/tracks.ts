/**
 * Audio languages and subtitles: the two menus beside the quality menu, what dash.js plays, and
 * what the viewer chose, kept agreeing. The starting tracks come from track-choice.ts (the
 * remembered choice, else the browser's language); every choice made in a menu or with a key (`a`
 * cycles the audio, `c` turns subtitles on and off) is remembered for the next movie. Subtitles
 * are drawn by subtitles.ts, not the browser.
 * @module
 */
import type { MediaInfo, MediaPlayerClass } from 'dashjs'
import { languageName } from '../../../server/lib/languages.ts'
import { type Choice, createChoiceMenu } from './choice-menu.ts'
import type { Lifetime } from './lifetime.ts'
import type { SubtitleRenderer } from './subtitles.ts'
import { chooseAudio, chooseSubtitles, forcedSubtitles, type TrackOption } from './track-choice.ts'
import { browserLanguages, loadTrackPreferences, saveTrackPreference } from './track-preferences.ts'

export interface TrackControl {
  /** The menu buttons, for the control bar. */
  menus: HTMLElement[]
  /** A new dash.js instance: start it on the viewer's audio language, subtitles under our control. */
  configure(player: MediaPlayerClass): void
  /** The manifest is read: offer the tracks and start on the right ones. */
  streamInitialized(player: MediaPlayerClass): void
  /** `c`: subtitles on (the last ones, or the viewer's language) or off. */
  toggleSubtitles(): void
  /** `a`: the next audio track. */
  cycleAudio(): void
  isMenuOpen(): boolean
}

const OFF = 'off'

function optionOf(info: MediaInfo): TrackOption {
  const roles = (info.roles ?? []).map((r) => r.value ?? '').filter(Boolean)
  const label = info.labels?.[0]?.text || (info.lang ? languageName(info.lang) : `Track ${info.index ?? ''}`)
  return { key: String(info.id ?? info.index), lang: info.lang, label, roles }
}

const short = (lang: string | null) => (lang ? lang.split('-')[0]!.toUpperCase() : '')

export function createTrackControl(ctx: {
  video: HTMLVideoElement
  player: () => MediaPlayerClass | null
  subtitles: SubtitleRenderer
  flash: (text: string) => void
  life: Lifetime
}): TrackControl {
  let audio: { info: MediaInfo; option: TrackOption }[] = []
  let text: { info: MediaInfo; option: TrackOption }[] = []
  /** The subtitle track shown, or null (off; forced subtitles may still show). */
  let subtitle: TrackOption | null = null
  /** What `c` turns back on. */
  let lastSubtitle: TrackOption | null = null
  let textReady = false

  const audioMenu = createChoiceMenu({
    title: 'Audio',
    icon: 'language',
    name: 'audio',
    minChoices: 2,
    onPick: (key) => pickAudio(key, true),
  })
  const subtitleMenu = createChoiceMenu({
    title: 'Subtitles',
    icon: 'subtitles',
    name: 'subtitles',
    minChoices: 2,
    onPick: (key) => pickSubtitles(key === OFF ? null : key, true),
  })

  function currentAudio(): TrackOption | null {
    const info = ctx.player()?.getCurrentTrackFor('audio')
    return info ? optionOf(info) : null
  }

  function pickAudio(key: string, byViewer: boolean) {
    const dash = ctx.player()
    const chosen = audio.find((a) => a.option.key === key)
    if (!dash || !chosen) return
    if (currentAudio()?.key !== key) dash.setCurrentTrack(chosen.info)
    audioMenu.setChecked(key)
    if (byViewer) {
      saveTrackPreference('audio', chosen.option.lang)
      ctx.flash(`Audio: ${chosen.option.label}`)
    }
    // Forced subtitles follow the audio language while subtitles are off.
    if (textReady && subtitle === null) showText(null)
  }

  /** Makes dash.js load `option` (or, for null, the forced subtitles of the audio language, or none). */
  function showText(option: TrackOption | null) {
    const dash = ctx.player()
    if (!dash) return
    const shown =
      option ??
      forcedSubtitles(
        text.map((t) => t.option),
        currentAudio()?.lang ?? null,
      )
    const index = shown ? text.findIndex((t) => t.option.key === shown.key) : -1
    if (index >= 0) dash.enableText(true)
    dash.setTextTrack(index)
    ctx.subtitles.show(shown ? shown.key : null)
  }

  /**
   * dash.js fetches a newly picked subtitle file while paused too, but puts its cues on the page's
   * text track only as the position moves (its cue window follows time updates and seeks). A viewer
   * who pauses to pick subtitles would see none until playing on; so once the file has arrived, a
   * seek to where the picture stands (buffered: nothing else loads) shows them.
   */
  function showOnArrival() {
    const { video } = ctx
    const dash = ctx.player()
    const pausedMidway = () =>
      video.paused && !video.ended && video.readyState >= HTMLMediaElement.HAVE_METADATA
    if (!dash || !pausedMidway()) return
    const arrived = (e: { mediaType?: string; request?: { mediaType?: string } }) => {
      if ((e.request?.mediaType ?? e.mediaType) !== 'text') return
      done()
      // After dash.js's own handlers have parsed the file.
      setTimeout(() => {
        if (pausedMidway() && !video.seeking) video.currentTime = video.currentTime
      }, 0)
    }
    const done = () => {
      dash.off('fragmentLoadingCompleted', arrived)
      video.removeEventListener('play', done)
    }
    dash.on('fragmentLoadingCompleted', arrived)
    video.addEventListener('play', done)
  }

  function pickSubtitles(key: string | null, byViewer: boolean) {
    const chosen = key === null ? null : (text.find((t) => t.option.key === key)?.option ?? null)
    subtitle = chosen
    if (chosen) lastSubtitle = chosen
    subtitleMenu.setChecked(chosen?.key ?? OFF)
    if (textReady) {
      showText(chosen)
      if (chosen && byViewer) showOnArrival()
    }
    if (byViewer) {
      saveTrackPreference('subtitles', chosen?.lang ?? OFF)
      ctx.flash(chosen ? `Subtitles: ${chosen.label}` : 'Subtitles off')
    }
  }

  function audioChoices(): Choice[] {
    return audio.map(({ option }) => ({
      key: option.key,
      label: option.label,
      short: short(option.lang),
      ...(option.lang && languageName(option.lang) !== option.label
        ? { sub: languageName(option.lang) }
        : {}),
    }))
  }

  function subtitleChoices(): Choice[] {
    return [
      { key: OFF, label: 'Off' },
      ...text.map(({ option }) => ({
        key: option.key,
        label: option.label,
        short: short(option.lang) || 'CC',
        ...(option.roles.includes('forced-subtitle')
          ? { sub: 'forced' }
          : option.roles.includes('caption')
            ? { sub: 'SDH' }
            : {}),
      })),
    ]
  }

  return {
    menus: [audioMenu.wrap, subtitleMenu.wrap],
    configure(player) {
      textReady = false
      // Start on the remembered or browser language where the movie has it, saving a switch (dash.js
      // takes initial settings once initialized: the manifest has arrived, its streams are not made yet).
      const prefs = loadTrackPreferences()
      const lang = prefs.audio ?? browserLanguages()[0]?.split('-')[0]
      const initial = () => {
        player.off('manifestLoaded', initial)
        if (lang) player.setInitialMediaSettingsFor('audio', { lang })
      }
      player.on('manifestLoaded', initial)
      player.on('allTextTracksAdded', () => {
        if (ctx.player() !== player) return
        textReady = true
        showText(subtitle)
      })
    },
    streamInitialized(player) {
      audio = player.getTracksFor('audio').map((info) => ({ info, option: optionOf(info) }))
      text = player.getTracksFor('text').map((info) => ({ info, option: optionOf(info) }))
      const prefs = loadTrackPreferences()
      const browser = browserLanguages()
      const startAudio = chooseAudio(
        audio.map((a) => a.option),
        prefs,
        browser,
      )
      audioMenu.setChoices(audioChoices())
      if (startAudio) pickAudio(startAudio.key, false)
      subtitleMenu.setChoices(text.length > 0 ? subtitleChoices() : [])
      // A retry keeps what the viewer was watching with.
      const keep = subtitle && text.some((t) => t.option.key === subtitle!.key) ? subtitle : undefined
      const start =
        keep !== undefined
          ? keep
          : chooseSubtitles(
              text.map((t) => t.option),
              startAudio?.lang ?? null,
              prefs,
              browser,
            )
      pickSubtitles(start?.key ?? null, false)
    },
    toggleSubtitles() {
      if (text.length === 0) return
      const on =
        subtitle === null
          ? (lastSubtitle ??
            chooseSubtitles(
              text.map((t) => t.option),
              null,
              { audio: null, subtitles: null },
              browserLanguages(),
            ) ??
            text.find((t) => !t.option.roles.includes('forced-subtitle'))?.option ??
            null)
          : null
      pickSubtitles(on?.key ?? null, true)
    },
    cycleAudio() {
      if (audio.length < 2) return
      const at = audio.findIndex((a) => a.option.key === currentAudio()?.key)
      pickAudio(audio[(at + 1) % audio.length]!.option.key, true)
    },
    isMenuOpen: () => audioMenu.isOpen() || subtitleMenu.isOpen(),
  }
}
