/**
 * @module Moving a fragmented-MP4 media segment along the timeline, for segments encoded in a time
 * slice that started later than zero.
 *
 * ffmpeg's MP4 muxer always starts a fragmented track's decode times at zero and records any start
 * offset in the init segment's edit list. A slice of the movie encoded on its own therefore comes
 * out with decode times from zero; its segments are played with the first slice's init segment, so
 * their `tfdt` (and `sidx`) times must carry the slice's start instead.
 */

const CONTAINERS = new Set(['moof', 'traf'])

function boxType(view: DataView, offset: number): string {
  return String.fromCharCode(
    view.getUint8(offset + 4),
    view.getUint8(offset + 5),
    view.getUint8(offset + 6),
    view.getUint8(offset + 7),
  )
}

/**
 * Adds `ticks` (in the track's timescale) to every track fragment's base media decode time and to
 * the earliest presentation time of any segment index, in place.
 *
 * @returns how many `tfdt` boxes were moved
 * @throws RangeError when a box is malformed or a 32-bit time would overflow
 */
export function shiftFragmentTime(bytes: Uint8Array, ticks: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const delta = BigInt(ticks)
  let moved = 0
  const walk = (start: number, end: number) => {
    let offset = start
    while (offset + 8 <= end) {
      let size = view.getUint32(offset)
      let header = 8
      if (size === 1) {
        size = Number(view.getBigUint64(offset + 8))
        header = 16
      } else if (size === 0) {
        size = end - offset
      }
      if (size < header || offset + size > end) throw new RangeError(`bad box at ${offset}`)
      const type = boxType(view, offset)
      if (CONTAINERS.has(type)) {
        walk(offset + header, offset + size)
      } else if (type === 'tfdt') {
        const at = offset + header + 4
        if (view.getUint8(offset + header) === 1) {
          view.setBigUint64(at, view.getBigUint64(at) + delta)
        } else {
          const value = view.getUint32(at) + ticks
          if (value > 0xffffffff) throw new RangeError('tfdt overflows 32 bits')
          view.setUint32(at, value)
        }
        moved++
      } else if (type === 'sidx') {
        // version(1) flags(3) reference_ID(4) timescale(4), then earliest_presentation_time.
        const at = offset + header + 12
        if (view.getUint8(offset + header) === 1) {
          view.setBigUint64(at, view.getBigUint64(at) + delta)
        } else {
          const value = view.getUint32(at) + ticks
          if (value > 0xffffffff) throw new RangeError('sidx time overflows 32 bits')
          view.setUint32(at, value)
        }
      }
      offset += size
    }
  }
  walk(0, bytes.byteLength)
  return moved
}

/** The base media decode time of the first track fragment, or null if there is none. */
export function firstDecodeTime(bytes: Uint8Array): number | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let found: number | null = null
  const walk = (start: number, end: number) => {
    let offset = start
    while (found === null && offset + 8 <= end) {
      const size = view.getUint32(offset) || end - offset
      if (size < 8) return
      const type = boxType(view, offset)
      if (CONTAINERS.has(type)) walk(offset + 8, offset + size)
      else if (type === 'tfdt') {
        const at = offset + 12
        found = view.getUint8(offset + 8) === 1 ? Number(view.getBigUint64(at)) : view.getUint32(at)
      }
      offset += size
    }
  }
  walk(0, bytes.byteLength)
  return found
}
