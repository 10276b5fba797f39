/**
 * Keyboard shortcuts, as on the big video sites: Space or k play/pause, arrows seek and change the
 * volume, f full screen, m mute, i statistics, c subtitles on/off, a the next audio language. Typing in a field, a dialog or the quality menu is
 * left alone, and so is Space on a focused button.
 * @module
 */
import { SEEK_STEP } from './controls.ts'
import type { Lifetime } from './lifetime.ts'

export interface ShortcutActions {
  togglePlay(): void
  seekBy(delta: number): void
  /** Returns the new volume in percent. */
  louder(): number
  /** Returns the new volume in percent. */
  quieter(): number
  toggleMute(): void
  toggleFullscreen(): void
  toggleStats(): void
  toggleSubtitles?(): void
  cycleAudio?(): void
  flash(text: string): void
  /** Called after every shortcut handled (shows the controls). */
  wake(): void
}

/** Listens on the document while `root` is on the page. */
export function bindShortcuts(root: HTMLElement, act: ShortcutActions, life: Lifetime): void {
  life.listen(document, 'keydown', (e: KeyboardEvent) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || !root.isConnected) return
    const target = e.target as HTMLElement
    if (target.closest('input, textarea, select, [contenteditable], dialog, [role="menu"]')) return
    const onButton = target.closest('button, a') !== null
    switch (e.key) {
      case ' ':
      case 'k':
        if (onButton && e.key === ' ') return // the focused button handles its own Space
        act.togglePlay()
        break
      case 'ArrowLeft':
        act.seekBy(-SEEK_STEP)
        break
      case 'ArrowRight':
        act.seekBy(SEEK_STEP)
        break
      case 'ArrowUp':
        act.flash(`Volume ${act.louder()}%`)
        break
      case 'ArrowDown':
        act.flash(`Volume ${act.quieter()}%`)
        break
      case 'f':
        act.toggleFullscreen()
        break
      case 'm':
        act.toggleMute()
        break
      case 'i':
        act.toggleStats()
        break
      case 'c':
        if (!act.toggleSubtitles) return
        act.toggleSubtitles()
        break
      case 'a':
        if (!act.cycleAudio) return
        act.cycleAudio()
        break
      default:
        return
    }
    e.preventDefault()
    act.wake()
  })
}
