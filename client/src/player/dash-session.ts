/**
 * dash.js for one player: loaded on demand, one instance at a time on the player's video element,
 * configured with our settings, torn down and rebuilt on retry. An instance that a newer attach or
 * a detach has superseded never reports anything.
 * @module
 */
import type { MediaPlayerClass, Representation } from 'dashjs'
import type { AbrRule } from './abr.ts'
import { describeDashError, type PlayerProblem, undecodable } from './errors.ts'
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

  const session: DashSession = {
    async attach(at, autoplay) {
      const mine = ++generation
      const [{ MediaPlayer }, rule] = await Promise.all([loadDash(), abrRule()])
      if (mine !== generation) return
      const player = MediaPlayer().create()
      player.updateSettings(playerSettings(rule))
      on.configure(player)
      const refused = watchRefusals(player)
      player.on('streamInitialized', () => {
        if (mine !== generation) return
        // dash.js drops what the browser refuses and plays on with the rest: without a picture that
        // would be sound over a black box, so the viewer hears why instead, and nothing plays.
        if (refused.video && player.getTracksFor('video').length === 0) {
          session.detach()
          on.error(undecodable(refused.codecs))
          return
        }
        on.streamInitialized(player)
      })
      player.on('qualityChangeRendered', (e: { mediaType?: string; newRepresentation?: Representation }) => {
        if (e.mediaType === 'video' && e.newRepresentation) on.videoQualityRendered(e.newRepresentation)
      })
      player.on('error', async (e: { error?: { code?: number; message?: string } | string }) => {
        if (mine !== generation) return
        on.error(await describeDashError(e.error, manifestUrl, refused.codecs))
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
  return session
}

/** The manifest's adaptation sets as dash.js parses them (attributes as properties). */
interface ParsedSet {
  contentType?: string
  mimeType?: string
  codecs?: string
  Representation?: { codecs?: string; mimeType?: string }[]
}

/**
 * What the browser refused while dash.js read the manifest: adaptation sets whose every codec the
 * browser turned down (MediaCapabilities.decodingInfo, else MediaSource.isTypeSupported) are
 * removed (`adaptationSetRemovedNoCapabilities`), by
 * which time their Representations are gone, so their codecs are noted when the manifest arrives.
 */
function watchRefusals(player: MediaPlayerClass): { video: boolean; codecs: string[] } {
  const refused = { video: false, codecs: [] as string[] }
  const declared = new Map<object, { video: boolean; codecs: string[] }>()
  player.on('manifestLoaded', (e: { data?: { Period?: { AdaptationSet?: ParsedSet[] }[] } }) => {
    for (const period of e.data?.Period ?? []) {
      for (const set of period.AdaptationSet ?? []) {
        const reps = set.Representation ?? []
        const mime = set.mimeType ?? reps[0]?.mimeType ?? ''
        declared.set(set, {
          video: set.contentType === 'video' || mime.startsWith('video/'),
          codecs: reps.map((r) => r.codecs ?? set.codecs ?? '').filter(Boolean),
        })
      }
    }
  })
  player.on('adaptationSetRemovedNoCapabilities', (e: { adaptationSet: object }) => {
    const set = declared.get(e.adaptationSet)
    if (!set) return
    refused.video ||= set.video
    refused.codecs.push(...set.codecs)
  })
  return refused
}
