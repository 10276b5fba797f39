/** @module The one error the DASH module throws, its message fit to show an uploader. */

/** A manifest (or a name, a duration, a template in one) that cannot be read or written. */
export class MpdError extends Error {
  override readonly name = 'MpdError'
}
