/**
 * Which adaptive-bitrate rule picks the video rendition. dash.js ships three: a throughput rule
 * (the rendition the measured download rate affords), BOLA (buffer occupancy: the fuller the
 * buffer, the higher the rendition) and its default, "dynamic" (throughput while the buffer is
 * short, BOLA once it holds `hybridSwitchBufferTime`). "ours" is dynamic with the throughput
 * estimate this product tunes in settings.ts (a harmonic mean of the last three segments, which one
 * slow download pulls down at once); BENCHMARKS.md measures all four. The default is dynamic: measured
 * there, ours started slower and rebuffered once right after the start on broadband links.
 *
 * The admin picks the default (`ABR_RULE`, served by GET /api/player); a viewer may override it in
 * the stats panel, remembered on this device.
 * @module
 */
import type { MediaPlayerSettingClass } from 'dashjs'
import { ABR_RULES, type AbrRule } from '../../../server/lib/abr.ts'

export { ABR_RULES, type AbrRule }

export const ABR_LABELS: Record<AbrRule, string> = {
  ours: 'Ours (tuned dynamic)',
  throughput: 'Throughput',
  bola: 'BOLA (buffer)',
  dynamic: 'Dynamic (dash.js default)',
}

const KEY = 'adh.abrRule'

export const isAbrRule = (v: unknown): v is AbrRule => ABR_RULES.includes(v as AbrRule)

/** The viewer's own choice on this device, or null. */
export function viewerAbrRule(): AbrRule | null {
  try {
    const v = window.localStorage.getItem(KEY)
    return isAbrRule(v) ? v : null
  } catch {
    return null
  }
}

/** Remembers the viewer's choice (null: follow the server's default again). */
export function rememberAbrRule(rule: AbrRule | null): void {
  try {
    if (rule) window.localStorage.setItem(KEY, rule)
    else window.localStorage.removeItem(KEY)
  } catch {
    // storage blocked: the choice lasts this page
  }
}

let serverDefault: Promise<AbrRule> | undefined
/** The admin's default from GET /api/player ("dynamic" when it cannot be read). */
export function defaultAbrRule(): Promise<AbrRule> {
  serverDefault ??= fetch('/api/player')
    .then((r) => (r.ok ? (r.json() as Promise<{ abrRule?: unknown }>) : {}))
    .then((b) => ((b as { abrRule?: unknown }).abrRule as AbrRule) ?? 'dynamic')
    .then((r) => (isAbrRule(r) ? r : 'dynamic'))
    .catch(() => 'dynamic' as const)
  return serverDefault
}

/** The `streaming.abr` settings of a rule: which dash.js rules run, and how throughput is estimated. */
export function abrSettings(
  rule: AbrRule,
): NonNullable<NonNullable<MediaPlayerSettingClass['streaming']>['abr']> {
  const rules = {
    throughputRule: { active: rule !== 'bola' },
    bolaRule: { active: rule !== 'throughput' },
  }
  if (rule !== 'ours') {
    // dash.js's own estimate, spelled out: a rule switched on a live instance must not keep ours.
    return {
      rules,
      throughput: {
        averageCalculationMode: 'throughputCalculationModeEwma',
        sampleSettings: { vod: 4, enableSampleSizeAdjustment: true },
        ewma: {},
      },
    }
  }
  return {
    rules,
    throughput: {
      // A harmonic mean of the last few segments: one slow download pulls it down at once
      // (protects against stalls), and a handful of fast ones lift it again. dash.js's default
      // EWMA weighs samples by download time, so after a congested spell the quick downloads
      // of small segments barely count and the climb back takes 20 s or more.
      averageCalculationMode: 'throughputCalculationModeHarmonicMean',
      sampleSettings: { vod: 3, enableSampleSizeAdjustment: false },
      ewma: {},
    },
  }
}

/** Which rules dash.js says are running: what the stats panel shows and the tests compare. */
export function activeRules(settings: MediaPlayerSettingClass): string[] {
  const rules = settings.streaming?.abr?.rules ?? {}
  return Object.entries(rules)
    .filter(
      ([name, r]) => (name === 'throughputRule' || name === 'bolaRule') && (r as { active?: boolean }).active,
    )
    .map(([name]) => name)
}
