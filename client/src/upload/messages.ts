/** @module What to tell a person when something goes wrong, and the page's configurable limits. */
import { ApiError } from '../api.ts'
import { EncodeError, MediaProbeError } from '../encode/errors.ts'
import type { ProbeResult } from '../encode/types.ts'

/** Upload limits; set at build time with VITE_UPLOAD_MAX_BYTES and VITE_UPLOAD_MAX_SECONDS. */
export const LIMITS = {
  maxBytes: Number(import.meta.env.VITE_UPLOAD_MAX_BYTES) || 8 * 1024 ** 3,
  maxSeconds: Number(import.meta.env.VITE_UPLOAD_MAX_SECONDS) || 4 * 3600,
}

export interface Explanation {
  title: string
  message: string
  /** Whether pressing Retry can help (as opposed to choosing another file). */
  retryable: boolean
  /** A sign-in link makes sense. */
  signIn?: boolean
  /** The movie field the server refused, which the uploader can change before retrying. */
  field?: 'episode'
}

/** Ends with a full stop, so another sentence can follow. */
function sentence(text: string): string {
  return /[.!?…]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`
}

function gib(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GB` : `${Math.round(bytes / 1024 ** 2)} MB`
}

/** A too-large or too-long file, checked before and after probing. */
export function checkLimits(file: Blob, probe?: ProbeResult): Explanation | null {
  if (file.size > LIMITS.maxBytes) {
    return {
      title: 'This file is too large',
      message: `It is ${gib(file.size)}; uploads can be at most ${gib(LIMITS.maxBytes)}.`,
      retryable: false,
    }
  }
  if (probe && probe.duration > LIMITS.maxSeconds) {
    const hours = (s: number) =>
      s >= 3600 ? `${(s / 3600).toFixed(1)} hours` : `${Math.round(s / 60)} minutes`
    return {
      title: 'This video is too long',
      message: `It runs ${hours(probe.duration)}; uploads can be at most ${hours(LIMITS.maxSeconds)}.`,
      retryable: false,
    }
  }
  return null
}

const PROBE_TITLES: Record<MediaProbeError['code'], string> = {
  empty: 'This file is empty',
  'not-video': 'That is not a video',
  'no-video-stream': 'There is no picture in this file',
  corrupt: 'This video cannot be read',
  unsupported: 'This video format is not supported',
}

/**
 * Turns any error from probing, encoding, uploading or the API into words and a next step.
 * `fallback`: the browser's own encoder failed, and Retry will encode with ffmpeg.wasm.
 */
export function explain(error: unknown, fallback = false): Explanation {
  if (error instanceof MediaProbeError) {
    return { title: PROBE_TITLES[error.code], message: error.message, retryable: false }
  }
  if (error instanceof EncodeError && fallback) {
    return {
      title: 'Your browser’s video encoder failed',
      message: `${sentence(error.message)} Press Retry to encode this file with ffmpeg.wasm instead: slower, but it does not depend on the browser’s encoder.`,
      retryable: true,
    }
  }
  if (error instanceof EncodeError) {
    const retryable = error.code !== 'ffmpeg-failed'
    return { title: 'Encoding failed', message: error.message, retryable }
  }
  if (error instanceof ApiError) {
    const status = error.status
    if (status === 0) {
      return {
        title: 'The network is down',
        message: 'Cannot reach the server. Check your connection, then press Retry: finished parts are kept.',
        retryable: true,
      }
    }
    if (status === 401) {
      return {
        title: 'You are not signed in',
        message: 'Your session has ended. Sign in again (the link opens in a new tab), then press Retry.',
        retryable: true,
        signIn: true,
      }
    }
    if (status === 403) {
      return {
        title: 'Not allowed',
        message: 'Your account is not allowed to upload this movie.',
        retryable: false,
      }
    }
    if (status === 413) {
      return { title: 'Too large for this server', message: error.message, retryable: false }
    }
    if (status >= 500 || status === 429 || status === 408) {
      return {
        title: 'The server is having trouble',
        message: `${error.detail ?? `The server had a problem (${status}).`} Press Retry in a moment.`,
        retryable: true,
      }
    }
    if (status === 409 && error.type.endsWith('/episode-taken')) {
      return {
        title: 'That episode number is taken',
        message: `${sentence(error.message)} Give this file another number, then press Retry.`,
        retryable: true,
        field: 'episode',
      }
    }
    return { title: 'The server refused the upload', message: error.message, retryable: true }
  }
  return {
    title: 'Something went wrong',
    message: error instanceof Error ? error.message : String(error),
    retryable: true,
  }
}
