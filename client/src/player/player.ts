/**
 * The video player: dash.js with adaptive bitrate behind custom controls (play, seek with
 * buffered range, volume, quality menu, stats overlay, fullscreen), keyboard shortcuts, the
 * poster until the first frame, and errors shown as messages with a Retry.
 *
 * `createPlayer` only puts the parts together; each lives in its own module:
 * view.ts (markup), dash-session.ts (dash.js), quality-control.ts and quality-menu.ts (renditions),
 * playback.ts (play intent and state), problems.ts (errors and retry), controls.ts (seek bar,
 * fullscreen, idle), volume.ts, stats.ts, keyboard.ts; tracks.ts (audio and subtitle menus),
 * subtitles.ts (drawing them), thumbnails.ts (the seek-bar preview); for a signed-in viewer
 * progress.ts (saving the position), resume.ts (where playback starts) and up-next.ts (the
 * countdown to the next episode); mode.ts (dash.js or the browser's own HLS), native-session.ts,
 * remote.ts (AirPlay and the Remote Playback API), abr.ts (the ABR rule).
 *
 * dash.js is loaded on demand, so the page and poster render before 800 kB of player arrive.
 * @module
 */
import './player.css'
import { type AbrRule, abrSettings, defaultAbrRule, rememberAbrRule, viewerAbrRule } from './abr.ts'
import { createControls } from './controls.ts'
import { createDashSession, type DashSession } from './dash-session.ts'
import { bindShortcuts } from './keyboard.ts'
import { createLifetime } from './lifetime.ts'
import { chooseMode, type PlayerMode } from './mode.ts'
import { createNativeSession } from './native-session.ts'
import { createPlayback } from './playback.ts'
import { createProblems } from './problems.ts'
import { createProgressSaver } from './progress.ts'
import { createQualityControl } from './quality-control.ts'
import { createQualityMenu } from './quality-menu.ts'
import { createRemotePlayback } from './remote.ts'
import { type StartOptions, startPlayback } from './resume.ts'
import { createPlayerStats, createStatsOverlay } from './stats.ts'
import { createSubtitleRenderer } from './subtitles.ts'
import { createSeekPreview } from './thumbnails.ts'
import { createTrackControl } from './tracks.ts'
import { createUpNext, type UpNextOptions } from './up-next.ts'
import { createPlayerView, type PlayerSource } from './view.ts'
import { createVolume } from './volume.ts'

export { loadDash } from './dash-session.ts'
export type { UpNextOptions } from './up-next.ts'
export type { PlayerSource } from './view.ts'

/** What the player does for the one watching: start, remember, go on. */
export interface WatchOptions extends StartOptions {
  /** Where to save the position (`PUT`), for signed-in viewers only. */
  progressUrl?: string
  /** The next episode, counted down to at the end. */
  upNext?: UpNextOptions
}

export interface Player {
  root: HTMLElement
  /** dash.js, or the browser's own HLS. */
  mode: PlayerMode
  destroy(): void
}

/**
 * @example main.append(createPlayer({ manifestUrl, title: movie.name, poster: img }).root)
 */
export function createPlayer(source: PlayerSource, watch: WatchOptions = {}): Player {
  const life = createLifetime()
  // The parts call each other back through these names; no call happens before all exist.
  const probe = document.createElement('video')
  const mode =
    chooseMode({ video: probe, hlsUrl: source.hlsUrl ?? null, forced: source.mode ?? null }) ?? 'dash'
  const menu = createQualityMenu((id) => quality.pin(id))
  // The viewer's rule, else the admin's default; a change applies to the live instance at once.
  let rule: AbrRule = viewerAbrRule() ?? 'ours'
  const overlay = createStatsOverlay(
    () => stats.toggle(false),
    mode === 'dash'
      ? (chosen) => {
          rememberAbrRule(chosen)
          void (async () => {
            rule = chosen ?? (await defaultAbrRule())
            session.player?.updateSettings({ streaming: { abr: abrSettings(rule) } })
            view.flash(`ABR: ${rule}`)
          })()
        }
      : undefined,
  )
  overlay.setRule(viewerAbrRule())
  const ruleReady = (async () => {
    rule = viewerAbrRule() ?? (await defaultAbrRule())
    return rule
  })()
  const view = createPlayerView(source, { qualityMenu: menu.wrap, statsOverlay: overlay.element })
  const { root, video } = view
  root.dataset.mode = mode
  const subtitles = createSubtitleRenderer({ video, root, life })
  const tracks = createTrackControl({
    video,
    player: () => session.player,
    subtitles,
    flash: view.flash,
    life,
  })
  root.insertBefore(subtitles.element, view.controls)
  menu.wrap.before(...tracks.menus)

  const session: DashSession =
    mode === 'native-hls'
      ? createNativeSession(video, source.hlsUrl!, {
          loaded: () => menu.deviceChooses(),
          error: (problem) => problems.show(problem),
        })
      : createDashSession(
          video,
          source.manifestUrl,
          {
            configure: (player) => {
              quality.configure(player)
              tracks.configure(player)
            },
            streamInitialized: (player) => {
              quality.streamInitialized(player)
              tracks.streamInitialized(player)
            },
            videoQualityRendered: (rep) => quality.videoQualityRendered(rep),
            error: (problem) => problems.show(problem),
          },
          () => ruleReady,
        )
  const player = () => session.player
  const quality = createQualityControl({ menu, root, video, player, flash: view.flash, life })
  const stats = createPlayerStats({
    overlay,
    button: view.statsButton,
    root,
    video,
    player,
    quality,
    rule: () => rule,
    life,
  })
  const playback = createPlayback({
    view,
    session,
    failed: () => problems.current !== null,
    stalled: () => problems.stalled(),
  })
  const problems = createProblems({ view, playback, life })
  const controls = createControls({
    view,
    togglePlay: playback.toggle,
    menuOpen: () => menu.isOpen() || tracks.isMenuOpen(),
    life,
  })
  createSeekPreview({ view, player, life })
  const volume = createVolume(view)
  bindShortcuts(
    root,
    {
      togglePlay: playback.toggle,
      seekBy: controls.seekBy,
      louder: volume.louder,
      quieter: volume.quieter,
      toggleMute: volume.toggleMute,
      toggleFullscreen: controls.toggleFullscreen,
      toggleStats: () => stats.toggle(),
      toggleSubtitles: tracks.toggleSubtitles,
      cycleAudio: tracks.cycleAudio,
      flash: view.flash,
      wake: controls.wake,
    },
    life,
  )
  life.listen(window, 'pagehide', () => session.saveThroughput())
  createRemotePlayback({ video, button: view.remoteButton, hlsUrl: source.hlsUrl ?? null, life })
  if (watch.progressUrl) createProgressSaver({ video, url: watch.progressUrl, life })
  if (watch.upNext) createUpNext({ view, life }, watch.upNext)

  // Preload: manifest, init segments and the first media segments arrive while the viewer reads the page.
  startPlayback({ view, session, playback }, watch)

  return {
    root,
    mode,
    destroy() {
      session.detach()
      life.dispose()
    },
  }
}
