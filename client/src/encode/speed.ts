/** @module Encoding speed over the last few seconds of progress, for the fps and ETA people see. */

const WINDOW_MS = 8000

/** How much was done (source seconds, or frames) at a moment. */
export interface SpeedSample {
  t: number
  done: number
}

/** Records `done` now, dropping what has left the window (keeping at least two samples). */
export function record(samples: SpeedSample[], done: number): void {
  samples.push({ t: performance.now(), done })
  while (samples.length > 2 && samples[samples.length - 1]!.t - samples[0]!.t > WINDOW_MS) samples.shift()
}

/** Units done per wall-clock second over the window; 0 until it spans enough to mean something. */
export function rate(samples: readonly SpeedSample[]): number {
  const first = samples[0]
  const last = samples[samples.length - 1]
  if (!first || !last || last.t - first.t < 1500) return 0
  return (last.done - first.done) / ((last.t - first.t) / 1000)
}
