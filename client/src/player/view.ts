/**
 * The player's markup: the video, the poster and big play button until the first frame, the
 * spinner, the flash message, the error box and the control bar. Behaviour lives elsewhere; this
 * module builds the elements, places the parts other modules make (quality menu, stats overlay),
 * and sets the state attributes the stylesheet keys on.
 * @module
 */
import { type Child, h } from '../ui/dom.ts'
import { icon } from '../ui/icons.ts'

export interface PlayerSource {
  manifestUrl: string
  /** The HLS multivariant playlist over the same segments (native HLS, AirPlay), when there is one. */
  hlsUrl?: string | null
  /** `dash` or `native-hls` to force a mode (`?player=`); otherwise the browser's abilities decide. */
  mode?: string | null
  title: string
  /** Shown until the first frame; a placeholder element stands in when there is no poster. */
  poster: Child
}

/** `data-state` of the player, for the stylesheet (controls hidden while idle, and so on). */
export type PlayerState = 'idle' | 'playing' | 'paused' | 'ended' | 'error'

export interface PlayerView {
  root: HTMLElement
  video: HTMLVideoElement
  poster: HTMLElement
  /** The big play button over the poster. */
  start: HTMLButtonElement
  error: { box: HTMLElement; title: HTMLElement; detail: HTMLElement; retry: HTMLButtonElement }
  controls: HTMLElement
  playButton: HTMLButtonElement
  muteButton: HTMLButtonElement
  volume: HTMLInputElement
  time: HTMLElement
  seek: HTMLInputElement
  statsButton: HTMLButtonElement
  /** AirPlay / Remote Playback: shown only where the browser offers a device to play on. */
  remoteButton: HTMLButtonElement
  fullscreenButton: HTMLButtonElement
  setState(state: PlayerState): void
  /** Shows the spinner (buffering, seeking) or hides it. */
  setWaiting(on: boolean): void
  /** A short message in the middle of the picture ("+5 s", "Quality: 720p"), gone after a moment. */
  flash(text: string): void
}

const FLASH_MS = 900

export function createPlayerView(
  source: PlayerSource,
  parts: { qualityMenu: HTMLElement; statsOverlay: HTMLElement },
): PlayerView {
  const video = h('video', { playsinline: true, preload: 'auto', tabindex: '-1' })
  video.disablePictureInPicture = false
  const poster = h('div', { class: 'player-poster', 'aria-hidden': 'true' }, source.poster)
  const start = h(
    'button',
    { type: 'button', class: 'player-start', 'aria-label': `Play ${source.title}` },
    icon('play'),
  )
  const spinner = h('div', { class: 'player-spinner', 'aria-hidden': 'true' })
  const flash = h('div', { class: 'player-flash', 'aria-hidden': 'true' })
  const errorTitle = h('h2')
  const errorDetail = h('p')
  const retry = h('button', { type: 'button', class: 'btn btn-primary' }, icon('retry'), 'Retry')
  const errorBox = h(
    'div',
    { class: 'player-error', role: 'alert', hidden: true },
    h('div', { class: 'player-error-box' }, icon('alert'), errorTitle, errorDetail, retry),
  )

  const playButton = h('button', { type: 'button', class: 'player-btn', 'aria-label': 'Play' }, icon('play'))
  const muteButton = h(
    'button',
    { type: 'button', class: 'player-btn', 'aria-label': 'Mute' },
    icon('volume'),
  )
  const volume = h('input', {
    type: 'range',
    min: '0',
    max: '1',
    step: '0.05',
    'aria-label': 'Volume',
  })
  const time = h('span', { class: 'player-time', 'aria-hidden': 'true' }, '0:00 / 0:00')
  const seek = h('input', {
    type: 'range',
    class: 'player-seek',
    min: '0',
    max: '0',
    step: 'any',
    value: '0',
    'aria-label': 'Seek',
    'aria-valuetext': '0 seconds of unknown length',
  })
  const statsButton = h(
    'button',
    { type: 'button', class: 'player-btn', 'aria-label': 'Playback statistics', 'aria-pressed': 'false' },
    icon('stats'),
  )
  const remoteButton = h(
    'button',
    {
      type: 'button',
      class: 'player-btn player-remote-btn',
      'aria-label': 'Play on another device',
      hidden: true,
    },
    icon('cast'),
  )
  const fullscreenButton = h(
    'button',
    { type: 'button', class: 'player-btn', 'aria-label': 'Full screen' },
    icon('fullscreen'),
  )

  const controls = h(
    'div',
    { class: 'player-controls' },
    h('div', { class: 'player-seek-row' }, seek),
    h(
      'div',
      { class: 'player-bar' },
      playButton,
      h('div', { class: 'player-volume' }, muteButton, volume),
      time,
      h('span', { class: 'player-spacer' }),
      parts.qualityMenu,
      statsButton,
      remoteButton,
      fullscreenButton,
    ),
  )
  const root = h(
    'div',
    {
      class: 'player',
      role: 'region',
      'aria-label': `Video player: ${source.title}`,
      'data-state': 'idle',
    },
    video,
    poster,
    spinner,
    start,
    flash,
    parts.statsOverlay,
    controls,
    errorBox,
  )

  let flashTimer: ReturnType<typeof setTimeout> | undefined
  return {
    root,
    video,
    poster,
    start,
    error: { box: errorBox, title: errorTitle, detail: errorDetail, retry },
    controls,
    playButton,
    muteButton,
    volume,
    time,
    seek,
    statsButton,
    remoteButton,
    fullscreenButton,
    setState(state) {
      root.dataset.state = state
    },
    setWaiting(on) {
      root.toggleAttribute('data-waiting', on)
    },
    flash(text) {
      flash.textContent = text
      flash.setAttribute('data-show', '')
      clearTimeout(flashTimer)
      flashTimer = setTimeout(() => flash.removeAttribute('data-show'), FLASH_MS)
    },
  }
}
