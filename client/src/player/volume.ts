/** Volume: the slider and mute button, and the level remembered for the next visit. @module */
import { icon } from '../ui/icons.ts'
import type { PlayerView } from './view.ts'

const VOLUME_KEY = 'adh.volume'
/** How much an arrow key changes the volume. */
const VOLUME_STEP = 0.1

export interface Volume {
  /** One step louder (unmuting); returns the new level in percent. */
  louder(): number
  /** One step quieter; returns the new level in percent. */
  quieter(): number
  toggleMute(): void
}

export function createVolume(view: Pick<PlayerView, 'video' | 'volume' | 'muteButton'>): Volume {
  const { video, volume, muteButton } = view

  function setVolume(v: number) {
    video.volume = Math.min(1, Math.max(0, v))
    video.muted = video.volume === 0
  }

  function render() {
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

  muteButton.addEventListener('click', () => {
    if (video.muted || video.volume === 0) {
      video.muted = false
      if (video.volume === 0) video.volume = 0.5
    } else video.muted = true
  })
  volume.addEventListener('input', () => setVolume(Number(volume.value)))
  video.addEventListener('volumechange', render)

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
  render()

  const percent = () => Math.round(video.volume * 100)
  return {
    louder() {
      setVolume((video.muted ? 0 : video.volume) + VOLUME_STEP)
      return percent()
    },
    quieter() {
      setVolume(video.volume - VOLUME_STEP)
      return percent()
    },
    toggleMute() {
      video.muted = !video.muted
    },
  }
}
