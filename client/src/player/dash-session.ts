/**
 * dash.js for one player: loaded on demand, one instance at a time on the player's video element,
 * configured with our settings, torn down and rebuilt on retry. An instance that a newer attach or
 * a detach has superseded never reports anything.
 * @module
 */
import type { MediaPlayerClass, Representation } from 'dashjs'
import type { AbrRule } from './abr.ts'
import { describeDashError, type PlayerProblem } from './errors.ts'
import { playerSettings, rememberThroughput } from './settings.ts'

declare global {
  interface Window {
    /** The live dash.js instance, for debugging in the console and for end-to-end tests. */
    __adhPlayer?: MediaPlayerClass
  }
}

let dashModule: Promise<typeof import('dashjs')> | undefined
/** Starts downloading dash.js; call early (it is shared by every player on the page). */
export const loadDash = () => {
  dashModule ??= import('dashjs')
  return dashModule
}

/** What the session tells the rest of the player about the current instance. */
export interface DashSessionEvents {
  /** A new instance, with our settings applied, before it loads the manifest. */
  configure(player: MediaPlayerClass): void
  /** The manifest is read: the renditions are known. */
  streamInitialized(player: MediaPlayerClass): void
  /** A switch of video rendition has reached the screen. */
  videoQualityRendered(representation: Representation): void
  /** dash.js gave up (after its own retries), in words a viewer can act on. */
  error(problem: PlayerProblem): void
}

export interface DashSession {
  /** Starts a fresh instance at `at` seconds, superseding any other. */
  attach(at: number, autoplay: boolean): Promise<void>
  /** Tears the instance down, remembering the throughput it measured for the next visit. */
  detach(): void
  /** Remembers the measured throughput without stopping (the page is going away). */
  saveThroughput(): void
  /** The live instance, or null before the first attach and after a detach. */
  readonly player: MediaPlayerClass | null
}

export function createDashSession(
  video: HTMLVideoElement,
  manifestUrl: string,
  on: DashSessionEvents,
  /** The ABR rule a new instance starts with (the viewer's, else the admin's default). */
  abrRule: () => Promise<AbrRule> = async () => 'dynamic',
): DashSession {
  let dash: MediaPlayerClass | null = null
  let generation = 0

  return {
    async attach(at, autoplay) {
      const mine = ++generation
      const [{ MediaPlayer }, rule] = await Promise.all([loadDash(), abrRule()])
      if (mine !== generation) return
      const player = MediaPlayer().create()
      player.updateSettings(playerSettings(rule))
      on.configure(player)
      player.on('streamInitialized', () => on.streamInitialized(player))
      player.on('qualityChangeRendered', (e: { mediaType?: string; newRepresentation?: Representation }) => {
        if (e.mediaType === 'video' && e.newRepresentation) on.videoQualityRendered(e.newRepresentation)
      })
      player.on('error', async (e: { error?: { code?: number; message?: string } | string }) => {
        if (mine !== generation) return
        on.error(await describeDashError(e.error, manifestUrl))
      })
      dash = player
      window.__adhPlayer = player
      player.initialize(video, manifestUrl, autoplay, at)
    },
    detach() {
      generation++
      if (dash) {
        rememberThroughput(dash.getAverageThroughput('video'))
        dash.destroy()
      }
      dash = null
      if (window.__adhPlayer) window.__adhPlayer = undefined
    },
    saveThroughput() {
      if (dash) rememberThroughput(dash.getAverageThroughput('video'))
    },
    get player() {
      return dash
    },
  }
}
