/**
 * The video player: dash.js with adaptive bitrate behind custom controls (play, seek with
 * buffered range, volume, quality menu, stats overlay, fullscreen), keyboard shortcuts, the
 * poster until the first frame, and errors shown as messages with a Retry.
 *
 * dash.js is loaded on demand, so the page and poster render before 800 kB of player arrive.
 * @module
 */
import './player.css'
import type { MediaPlayerClass, Representation } from 'dashjs'
import { type Child, h } from '../ui/dom.ts'
import { formatBitrate, formatDuration, spokenDuration } from '../ui/format.ts'
import { icon } from '../ui/icons.ts'
import { describeDashError, describeMediaError, OFFLINE, type PlayerProblem } from './errors.ts'
import { createQualityMenu, type QualityOption, qualityLabel } from './quality-menu.ts'
import { playerSettings, rememberThroughput } from './settings.ts'
import { createStatsOverlay } from './stats.ts'

declare global {
  interface Window {
    /** The live dash.js instance, for debugging in the console and for end-to-end tests. */
    __adhPlayer?: MediaPlayerClass
  }
}

export interface PlayerSource {
  manifestUrl: string
  title: string
  /** Shown until the first frame; a placeholder element stands in when there is no poster. */
  poster: Child
}

export interface Player {
  root: HTMLElement
  destroy(): void
}

let dashModule: Promise<typeof import('dashjs')> | undefined
/** Starts downloading dash.js; call early (it is shared by every player on the page). */
export const loadDash = () => {
  dashModule ??= import('dashjs')
  return dashModule
}

const SEEK_STEP = 5
const VOLUME_STEP = 0.1
const IDLE_MS = 2500
const VOLUME_KEY = 'adh.volume'

function toOption(r: Representation): QualityOption {
  return { id: String(r.id), width: r.width, height: r.height, bandwidth: r.bandwidth }
}

export function createPlayer(source: PlayerSource): Player {
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
  const retryButton = h('button', { type: 'button', class: 'btn btn-primary' }, icon('retry'), 'Retry')
  const errorBox = h(
    'div',
    { class: 'player-error', role: 'alert', hidden: true },
    h('div', { class: 'player-error-box' }, icon('alert'), errorTitle, errorDetail, retryButton),
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
  const fullscreenButton = h(
    'button',
    { type: 'button', class: 'player-btn', 'aria-label': 'Full screen' },
    icon('fullscreen'),
  )
  const quality = createQualityMenu((id) => pin(id))
  const stats = createStatsOverlay(() => toggleStats(false))

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
      quality.wrap,
      statsButton,
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
    stats.element,
    controls,
    errorBox,
  )

  let dash: MediaPlayerClass | null = null
  let generation = 0
  let pinned: string | null = null
  let options: QualityOption[] = []
  /** What is on screen now; dash.js's "current" representation is the one being downloaded. */
  let onScreen: QualityOption | null = null
  let problem: PlayerProblem | null = null
  let wantPlay = false
  let resumeAt = 0
  let statsTimer: ReturnType<typeof setInterval> | undefined
  let idleTimer: ReturnType<typeof setTimeout> | undefined
  let flashTimer: ReturnType<typeof setTimeout> | undefined
  const cleanups: (() => void)[] = []

  const setState = (s: 'idle' | 'playing' | 'paused' | 'ended' | 'error') => {
    root.dataset.state = s
  }

  function listen<K extends keyof HTMLElementEventMap>(
    target: EventTarget,
    type: K | string,
    fn: (e: HTMLElementEventMap[K]) => void,
    opts?: AddEventListenerOptions,
  ) {
    target.addEventListener(type, fn as EventListener, opts)
    cleanups.push(() => target.removeEventListener(type, fn as EventListener, opts))
  }

  // ── dash.js lifecycle ──────────────────────────────────────────────────

  async function attach(at: number, autoplay: boolean) {
    const mine = ++generation
    const { MediaPlayer } = await loadDash()
    if (mine !== generation) return
    const player = MediaPlayer().create()
    onScreen = null
    player.updateSettings(playerSettings())
    if (pinned) player.updateSettings({ streaming: { abr: { autoSwitchBitrate: { video: false } } } })
    player.on('streamInitialized', () => {
      options = player.getRepresentationsByType('video').map(toOption)
      quality.setOptions(options)
      if (pinned && options.some((o) => o.id === pinned))
        player.setRepresentationForTypeById('video', pinned, true)
      capToSize()
      refreshQuality()
    })
    player.on('qualityChangeRendered', (e: { mediaType?: string; newRepresentation?: Representation }) => {
      // Only a fallback: the decoded frame size (the video's resize event) is the ground truth.
      if (e.mediaType !== 'video' || !e.newRepresentation || matchDecoded()) return
      onScreen = toOption(e.newRepresentation)
      refreshQuality()
    })
    player.on('error', async (e: { error?: { code?: number; message?: string } | string }) => {
      if (mine !== generation) return
      showProblem(await describeDashError(e.error, source.manifestUrl))
    })
    dash = player
    window.__adhPlayer = player
    player.initialize(video, source.manifestUrl, autoplay, at)
  }

  function detach() {
    generation++
    if (dash) {
      rememberThroughput(dash.getAverageThroughput('video'))
      dash.destroy()
    }
    dash = null
    if (window.__adhPlayer) window.__adhPlayer = undefined
  }

  function retry() {
    const at = Number.isFinite(video.currentTime) && video.currentTime > 0 ? video.currentTime : resumeAt
    hideProblem()
    detach()
    start.hidden = wantPlay
    setState(wantPlay ? 'paused' : 'idle')
    root.toggleAttribute('data-waiting', wantPlay)
    void attach(at, wantPlay)
  }

  function showProblem(p: PlayerProblem) {
    problem = p
    resumeAt = video.currentTime || resumeAt
    errorTitle.textContent = p.title
    errorDetail.textContent = p.detail
    errorBox.hidden = false
    start.hidden = true
    root.removeAttribute('data-waiting')
    setState('error')
    retryButton.focus({ preventScroll: true })
  }

  function hideProblem() {
    problem = null
    errorBox.hidden = true
  }

  // ── quality ────────────────────────────────────────────────────────────

  function currentOption(): QualityOption | null {
    if (onScreen) return onScreen
    const rep = dash?.getCurrentRepresentationForType('video')
    return rep ? toOption(rep) : null
  }

  /** The rendition whose frame size is the one being decoded, if exactly one matches. */
  function matchDecoded(): QualityOption | null {
    const found = options.filter((o) => o.width === video.videoWidth && o.height === video.videoHeight)
    return found.length === 1 ? found[0]! : null
  }

  function refreshQuality() {
    const cur = currentOption()
    quality.setState(pinned, cur)
    if (cur) {
      root.dataset.renditionId = cur.id
      root.dataset.renditionHeight = String(cur.height)
    }
  }

  function pin(id: string | null) {
    pinned = id
    if (dash) {
      dash.updateSettings({ streaming: { abr: { autoSwitchBitrate: { video: id === null } } } })
      // forceReplace: drop what is buffered at the old quality, so the choice shows at once.
      if (id) dash.setRepresentationForTypeById('video', id, true)
    }
    root.dataset.qualityMode = id ? 'pinned' : 'auto'
    const chosen = options.find((o) => o.id === id)
    showFlash(chosen ? `Quality: ${qualityLabel(chosen)}` : 'Quality: Auto')
    refreshQuality()
  }

  /**
   * Caps ABR to the smallest rendition that covers the player's size in device pixels: a small
   * player does not need 720p. A rendition somewhat narrower than the player still counts as
   * covering it (scaling up by 10% is invisible), and fullscreen lifts the cap through the resize.
   */
  function capToSize() {
    if (!dash || options.length === 0) return
    const target = root.clientWidth * (window.devicePixelRatio || 1) * 0.9
    const covering = [...options].sort((a, b) => a.width - b.width).find((o) => o.width >= target)
    const cap = covering ? Math.ceil(covering.bandwidth / 1000) + 1 : -1
    dash.updateSettings({ streaming: { abr: { maxBitrate: { video: cap } } } })
  }

  // ── controls ───────────────────────────────────────────────────────────

  function togglePlay() {
    if (problem) return
    if (video.paused || video.ended) play()
    else video.pause()
  }

  function play() {
    wantPlay = true
    start.hidden = true
    if (!dash) void attach(resumeAt, true)
    video.play().catch((err: DOMException) => {
      // Aborted by a pause or a source change: nothing to tell. Refused by autoplay policy: show the button.
      if (err.name === 'NotAllowedError') start.hidden = false
    })
  }

  function seekBy(delta: number) {
    const duration = Number.isFinite(video.duration) ? video.duration : 0
    if (!duration) return
    video.currentTime = Math.min(Math.max(0, video.currentTime + delta), Math.max(0, duration - 0.1))
    showFlash(`${delta > 0 ? '+' : '−'}${Math.abs(delta)} s`)
    renderTime()
  }

  function setVolume(v: number) {
    video.volume = Math.min(1, Math.max(0, v))
    video.muted = video.volume === 0
  }

  function renderVolume() {
    const level = video.muted ? 0 : video.volume
    volume.value = String(level)
    volume.style.setProperty('--fill', `${level * 100}%`)
    volume.style.setProperty('--buffered', `${level * 100}%`)
    volume.setAttribute('aria-valuetext', `${Math.round(level * 100)}%`)
    muteButton.replaceChildren(icon(level === 0 ? 'mute' : 'volume'))
    muteButton.setAttribute('aria-label', level === 0 ? 'Unmute' : 'Mute')
    try {
      localStorage.setItem(VOLUME_KEY, JSON.stringify({ volume: video.volume, muted: video.muted }))
    } catch {
      // storage blocked: the volume simply is not remembered
    }
  }

  function bufferedEnd(): number {
    const t = video.currentTime
    for (let i = 0; i < video.buffered.length; i++) {
      if (video.buffered.start(i) <= t + 0.5 && video.buffered.end(i) >= t) return video.buffered.end(i)
    }
    return t
  }

  let scrubbing = false
  function renderTime() {
    const duration = Number.isFinite(video.duration) ? video.duration : 0
    const t = scrubbing ? Number(seek.value) : video.currentTime
    seek.max = String(duration)
    if (!scrubbing) seek.value = String(t)
    const pct = (x: number) => `${duration ? Math.min(100, (x / duration) * 100) : 0}%`
    seek.style.setProperty('--fill', pct(t))
    seek.style.setProperty('--buffered', pct(bufferedEnd()))
    time.textContent = `${formatDuration(t)} / ${formatDuration(Math.round(duration))}`
    seek.setAttribute('aria-valuetext', `${spokenDuration(t)} of ${spokenDuration(duration)}`)
  }

  function renderPlayButton() {
    const paused = video.paused || video.ended
    playButton.replaceChildren(icon(paused ? 'play' : 'pause'))
    playButton.setAttribute('aria-label', paused ? 'Play' : 'Pause')
  }

  function toggleFullscreen() {
    if (document.fullscreenElement) void document.exitFullscreen()
    else if (root.requestFullscreen) void root.requestFullscreen().catch(() => undefined)
    else (video as HTMLVideoElement & { webkitEnterFullscreen?: () => void }).webkitEnterFullscreen?.()
  }

  function toggleStats(show = stats.element.hidden) {
    stats.element.hidden = !show
    statsButton.setAttribute('aria-pressed', String(show))
    clearInterval(statsTimer)
    if (show) {
      sampleStats()
      statsTimer = setInterval(sampleStats, 500)
    }
  }

  function sampleStats() {
    const loading = dash?.getCurrentRepresentationForType('video')
    const rep = onScreen ?? loading
    const q = video.getVideoPlaybackQuality?.()
    const dpr = window.devicePixelRatio || 1
    stats.update({
      rendition: rep ? `${rep.width}×${rep.height} (id ${rep.id})` : '—',
      bitrate: rep ? formatBitrate(rep.bandwidth) : '—',
      loading: loading ? `${qualityLabel(toOption(loading))} · ${formatBitrate(loading.bandwidth)}` : '—',
      mode: pinned ? 'pinned' : 'auto',
      buffer: dash ? `${dash.getBufferLength('video').toFixed(1)} s` : '—',
      throughput: dash ? formatBitrate(dash.getAverageThroughput('video') * 1000) : '—',
      dropped: q ? `${q.droppedVideoFrames} of ${q.totalVideoFrames}` : '—',
      resolution: `${video.videoWidth}×${video.videoHeight} in ${root.clientWidth}×${root.clientHeight}${dpr !== 1 ? ` @${dpr}x` : ''}`,
      codecs: loading?.codecs ?? '—',
    })
  }

  function showFlash(text: string) {
    flash.textContent = text
    flash.setAttribute('data-show', '')
    clearTimeout(flashTimer)
    flashTimer = setTimeout(() => flash.removeAttribute('data-show'), 900)
  }

  function wake() {
    root.removeAttribute('data-idle')
    clearTimeout(idleTimer)
    idleTimer = setTimeout(() => {
      const busy = quality.isOpen() || controls.contains(document.activeElement) || video.paused
      if (!busy) root.setAttribute('data-idle', '')
    }, IDLE_MS)
  }

  // ── wiring ─────────────────────────────────────────────────────────────

  start.addEventListener('click', play)
  playButton.addEventListener('click', togglePlay)
  video.addEventListener('click', togglePlay)
  video.addEventListener('dblclick', toggleFullscreen)
  muteButton.addEventListener('click', () => {
    if (video.muted || video.volume === 0) {
      video.muted = false
      if (video.volume === 0) video.volume = 0.5
    } else video.muted = true
  })
  volume.addEventListener('input', () => setVolume(Number(volume.value)))
  seek.addEventListener('input', () => {
    scrubbing = true
    renderTime()
  })
  seek.addEventListener('change', () => {
    scrubbing = false
    video.currentTime = Number(seek.value)
    renderTime()
  })
  seek.addEventListener('keydown', (e) => {
    // Native range steps are a fraction of a second: use the player's steps instead.
    const steps: Record<string, number> = {
      ArrowLeft: -SEEK_STEP,
      ArrowRight: SEEK_STEP,
      PageDown: -30,
      PageUp: 30,
    }
    const step = steps[e.key]
    if (step !== undefined) {
      e.preventDefault()
      e.stopPropagation()
      seekBy(step)
    }
  })
  statsButton.addEventListener('click', () => toggleStats())
  fullscreenButton.addEventListener('click', toggleFullscreen)
  retryButton.addEventListener('click', retry)

  video.addEventListener('play', () => {
    wantPlay = true
    start.hidden = true
    renderPlayButton()
  })
  video.addEventListener('playing', () => {
    poster.hidden = true
    root.removeAttribute('data-waiting')
    setState('playing')
    wake()
  })
  video.addEventListener('pause', () => {
    if (!problem) setState('paused')
    renderPlayButton()
    wake()
  })
  video.addEventListener('ended', () => {
    wantPlay = false
    setState('ended')
    renderPlayButton()
  })
  video.addEventListener('waiting', () => {
    root.toggleAttribute('data-waiting', true)
    // dash.js may keep retrying quietly; a viewer who is offline with nothing buffered should know.
    if (!navigator.onLine && !problem) showProblem(OFFLINE)
  })
  video.addEventListener('seeking', () => root.toggleAttribute('data-waiting', true))
  video.addEventListener('seeked', () => root.removeAttribute('data-waiting'))
  video.addEventListener('canplay', () => root.removeAttribute('data-waiting'))
  video.addEventListener('timeupdate', renderTime)
  video.addEventListener('progress', renderTime)
  video.addEventListener('durationchange', renderTime)
  video.addEventListener('volumechange', renderVolume)
  video.addEventListener('resize', () => {
    const decoded = matchDecoded()
    if (decoded) {
      onScreen = decoded
      refreshQuality()
    }
  })
  video.addEventListener('error', () => {
    // dash.js reports its own errors; this catches decode failures it does not.
    if (!problem && video.error) showProblem(describeMediaError(video.error))
  })
  root.addEventListener('pointermove', wake)
  root.addEventListener('focusin', wake)

  listen(document, 'fullscreenchange', () => {
    const on = document.fullscreenElement === root
    fullscreenButton.replaceChildren(icon(on ? 'exitFullscreen' : 'fullscreen'))
    fullscreenButton.setAttribute('aria-label', on ? 'Exit full screen' : 'Full screen')
  })
  listen(window, 'offline', () => {
    if (root.hasAttribute('data-waiting') && !video.paused && !problem) showProblem(OFFLINE)
    else showFlash('Offline: playing what is buffered')
  })
  listen(window, 'online', () => {
    if (problem?.network) retry()
  })
  listen(window, 'pagehide', () => dash && rememberThroughput(dash.getAverageThroughput('video')))
  listen(document, 'keydown', (e: KeyboardEvent) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || !root.isConnected) return
    const target = e.target as HTMLElement
    if (target.closest('input, textarea, select, [contenteditable], dialog, [role="menu"]')) return
    const onButton = target.closest('button, a') !== null
    switch (e.key) {
      case ' ':
      case 'k':
        if (onButton && e.key === ' ') return // the focused button handles its own Space
        togglePlay()
        break
      case 'ArrowLeft':
        seekBy(-SEEK_STEP)
        break
      case 'ArrowRight':
        seekBy(SEEK_STEP)
        break
      case 'ArrowUp':
        setVolume((video.muted ? 0 : video.volume) + VOLUME_STEP)
        showFlash(`Volume ${Math.round(video.volume * 100)}%`)
        break
      case 'ArrowDown':
        setVolume(video.volume - VOLUME_STEP)
        showFlash(`Volume ${Math.round(video.volume * 100)}%`)
        break
      case 'f':
        toggleFullscreen()
        break
      case 'm':
        video.muted = !video.muted
        break
      case 'i':
        toggleStats()
        break
      default:
        return
    }
    e.preventDefault()
    wake()
  })

  const resize = new ResizeObserver(() => capToSize())
  resize.observe(root)

  try {
    const saved = JSON.parse(localStorage.getItem(VOLUME_KEY) ?? 'null') as {
      volume?: number
      muted?: boolean
    } | null
    if (saved && typeof saved.volume === 'number') video.volume = Math.min(1, Math.max(0, saved.volume))
    if (saved?.muted) video.muted = true
  } catch {
    // nothing remembered
  }
  renderVolume()
  renderTime()
  root.dataset.qualityMode = 'auto'
  // Preload: manifest, init segments and the first media segments arrive while the viewer reads the page.
  void attach(0, false)

  return {
    root,
    destroy() {
      detach()
      resize.disconnect()
      clearInterval(statsTimer)
      clearTimeout(idleTimer)
      for (const fn of cleanups) fn()
    },
  }
}
