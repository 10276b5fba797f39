/**
 * Which rendition plays: automatic (dash.js's ABR, capped to the player's size) or pinned by the
 * viewer in the quality menu; and which one is on screen now, told by the decoded frame size.
 * Keeps the menu, the `data-rendition-*` and `data-quality-mode` attributes and dash.js agreeing.
 * @module
 */
import type { MediaPlayerClass, Representation } from 'dashjs'
import type { Lifetime } from './lifetime.ts'
import { type QualityMenu, type QualityOption, qualityLabel } from './quality-menu.ts'

export function toOption(r: Representation): QualityOption {
  return { id: String(r.id), width: r.width, height: r.height, bandwidth: r.bandwidth }
}

export interface QualityControl {
  /** A new dash.js instance: forget what was on screen, keep the viewer's pinned choice. */
  configure(player: MediaPlayerClass): void
  /** The renditions are known: offer them, re-apply a pin, cap to the player's size. */
  streamInitialized(player: MediaPlayerClass): void
  /** dash.js says a switch reached the screen (used when the frame size cannot tell). */
  videoQualityRendered(representation: Representation): void
  /** The viewer's choice from the menu: a rendition id, or null for Auto. */
  pin(id: string | null): void
  /** The id pinned by the viewer, or null in Auto. */
  readonly pinned: string | null
  /** What is on screen, once known; dash.js's "current" representation is the one being downloaded. */
  readonly onScreen: QualityOption | null
}

export function createQualityControl(ctx: {
  menu: QualityMenu
  root: HTMLElement
  video: HTMLVideoElement
  player: () => MediaPlayerClass | null
  flash: (text: string) => void
  life: Lifetime
}): QualityControl {
  const { menu, root, video } = ctx
  let pinned: string | null = null
  let options: QualityOption[] = []
  let onScreen: QualityOption | null = null

  function current(): QualityOption | null {
    if (onScreen) return onScreen
    const rep = ctx.player()?.getCurrentRepresentationForType('video')
    return rep ? toOption(rep) : null
  }

  /** The rendition whose frame size is the one being decoded, if exactly one matches. */
  function matchDecoded(): QualityOption | null {
    const found = options.filter((o) => o.width === video.videoWidth && o.height === video.videoHeight)
    return found.length === 1 ? found[0]! : null
  }

  function refresh() {
    const cur = current()
    menu.setState(pinned, cur)
    if (cur) {
      root.dataset.renditionId = cur.id
      root.dataset.renditionHeight = String(cur.height)
    }
  }

  /**
   * Caps ABR to the smallest rendition that covers the player's size in device pixels: a small
   * player does not need 720p. A rendition somewhat narrower than the player still counts as
   * covering it (scaling up by 10% is invisible), and fullscreen lifts the cap through the resize.
   */
  function capToSize() {
    const dash = ctx.player()
    if (!dash || options.length === 0) return
    const target = root.clientWidth * (window.devicePixelRatio || 1) * 0.9
    const covering = [...options].sort((a, b) => a.width - b.width).find((o) => o.width >= target)
    const cap = covering ? Math.ceil(covering.bandwidth / 1000) + 1 : -1
    dash.updateSettings({ streaming: { abr: { maxBitrate: { video: cap } } } })
  }

  video.addEventListener('resize', () => {
    // The decoded frame size is the ground truth of what is on screen.
    const decoded = matchDecoded()
    if (decoded) {
      onScreen = decoded
      refresh()
    }
  })
  const resize = new ResizeObserver(() => capToSize())
  resize.observe(root)
  ctx.life.onDispose(() => resize.disconnect())
  root.dataset.qualityMode = 'auto'

  return {
    configure(player) {
      onScreen = null
      if (pinned) player.updateSettings({ streaming: { abr: { autoSwitchBitrate: { video: false } } } })
    },
    streamInitialized(player) {
      options = player.getRepresentationsByType('video').map(toOption)
      menu.setOptions(options)
      if (pinned && options.some((o) => o.id === pinned))
        player.setRepresentationForTypeById('video', pinned, true)
      capToSize()
      refresh()
    },
    videoQualityRendered(representation) {
      // Only a fallback: the decoded frame size (the video's resize event) is the ground truth.
      if (matchDecoded()) return
      onScreen = toOption(representation)
      refresh()
    },
    pin(id) {
      pinned = id
      const dash = ctx.player()
      if (dash) {
        dash.updateSettings({ streaming: { abr: { autoSwitchBitrate: { video: id === null } } } })
        // forceReplace: drop what is buffered at the old quality, so the choice shows at once.
        if (id) dash.setRepresentationForTypeById('video', id, true)
      }
      root.dataset.qualityMode = id ? 'pinned' : 'auto'
      const chosen = options.find((o) => o.id === id)
      ctx.flash(chosen ? `Quality: ${qualityLabel(chosen)}` : 'Quality: Auto')
      refresh()
    },
    get pinned() {
      return pinned
    },
    get onScreen() {
      return onScreen
    },
  }
}
