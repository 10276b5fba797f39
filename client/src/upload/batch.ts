/**
 * @module The queue of files being uploaded (a season, or one movie): each file an `UploadSession`
 * of its own, one file encoding at a time while the ones before it finish uploading, every change
 * saved (store.ts) so that after a reload the queue comes back and each file picks up where it
 * stopped. One file failing does not stop the others.
 */
import type { LadderPlan } from '../encode/types.ts'
import { type MovieFields, type SessionSnapshot, UploadSession } from './session.ts'
import {
  keepSource,
  newKey,
  removeUpload,
  type StoredState,
  type StoredUpload,
  sameFile,
  saveUpload,
  sourceFile,
} from './store.ts'

export interface BatchEntry {
  readonly stored: StoredUpload
  /** The source, or null after a reload until it is found (or chosen) again. */
  file: File | null
  session: UploadSession | null
  snapshot: SessionSnapshot | null
  /** Removed from the queue. */
  removed: boolean
}

export interface NewUpload {
  file: File
  handle: FileSystemFileHandle | null
  plan: LadderPlan
  fields: MovieFields
  sidecars?: File[]
}

/** One encode at a time, in queue order: the next starts when the previous one's encoding ends. */
class Turns {
  private tail: Promise<void> = Promise.resolve()

  take(): Promise<() => void> {
    let end!: () => void
    const ended = new Promise<void>((resolve) => {
      end = resolve
    })
    const mine = this.tail.then(() => end)
    this.tail = this.tail.then(() => ended)
    return mine
  }
}

function stateOf(snapshot: SessionSnapshot): StoredState {
  if (snapshot.phase === 'done') return 'done'
  if (snapshot.phase === 'failed') return 'failed'
  return snapshot.movie ? 'running' : 'queued'
}

export class UploadBatch {
  readonly entries: BatchEntry[] = []
  private readonly turns = new Turns()

  constructor(private readonly onChange: (entry: BatchEntry) => void) {}

  /** Queues a file and starts it (its encoding waits for its turn). */
  add(upload: NewUpload): BatchEntry {
    const stored: StoredUpload = {
      key: newKey(),
      order: Date.now() + this.entries.length / 1000,
      fileName: upload.file.name,
      size: upload.file.size,
      lastModified: upload.file.lastModified,
      kept: null,
      handle: null,
      sidecars: upload.sidecars ?? [],
      plan: upload.plan,
      fields: upload.fields,
      movieId: null,
      backend: null,
      engine: null,
      state: 'queued',
    }
    const entry: BatchEntry = { stored, file: upload.file, session: null, snapshot: null, removed: false }
    this.entries.push(entry)
    void saveUpload(stored)
    // Kept for a reload in the background; the encode does not wait for the copy.
    void keepSource(stored.key, upload.file, upload.handle).then(({ kept, handle }) => {
      if (entry.removed) return
      Object.assign(stored, { kept, handle })
      // Finished before the copy was done: the copy is not needed.
      if (stored.state === 'done') void removeUpload(stored)
      else void saveUpload(stored)
    })
    this.start(entry)
    return entry
  }

  /** Brings back the entries of a page that was reloaded, without starting them. */
  restore(saved: readonly StoredUpload[]): BatchEntry[] {
    const restored = saved.map((stored) => ({
      stored,
      file: null,
      session: null,
      snapshot: null,
      removed: false,
    }))
    this.entries.push(...restored)
    return restored
  }

  /**
   * Continues a restored entry: with the file chosen again (which must be the same one), or with
   * the kept handle or copy (call from a click: a dropped file's handle asks for permission).
   * @returns false when the file is needed again
   */
  async resume(entry: BatchEntry, chosen?: File): Promise<boolean> {
    if (entry.session) return true
    const file = chosen && sameFile(entry.stored, chosen) ? chosen : await sourceFile(entry.stored)
    if (!file) return false
    entry.file = file
    this.start(entry)
    return true
  }

  /** Retries a failed file (on ffmpeg.wasm if the browser's encoder failed), or resumes a paused one. */
  retry(entry: BatchEntry): void {
    void entry.session?.retry()
  }

  /** Retries a file whose episode number was taken, as episode `episode` (kept for a reload too). */
  renumber(entry: BatchEntry, episode: number): void {
    entry.stored.fields = { ...entry.stored.fields, episode }
    void saveUpload(entry.stored)
    entry.session?.renumber(episode)
    this.retry(entry)
  }

  /** Takes a file out of the queue; its draft movie (never a published one) is deleted. */
  async remove(entry: BatchEntry): Promise<void> {
    entry.removed = true
    if (entry.session) await entry.session.cancel()
    else if (entry.stored.movieId && entry.stored.state !== 'done') {
      const { api, call } = await import('../api.ts')
      await call(api.movies[':id'].$delete({ param: { id: entry.stored.movieId } })).catch(() => undefined)
    }
    await removeUpload(entry.stored)
    this.onChange(entry)
  }

  private start(entry: BatchEntry): void {
    const { stored } = entry
    // The turn is taken now, so files encode in queue order whatever order their drafts come back in.
    let ticket: Promise<() => void> | null = this.turns.take()
    const session = new UploadSession(entry.file!, stored.plan, stored.fields, {
      sidecars: stored.sidecars,
      movieId: stored.movieId,
      backend: stored.backend,
      engine: stored.engine,
      encodeTurn: () => {
        const turn = ticket ?? this.turns.take()
        ticket = null
        return turn
      },
      onChange: (snapshot) => {
        // Stopped before its turn came: the files after it must not wait for it.
        if (ticket && (snapshot.phase === 'failed' || snapshot.phase === 'cancelled')) {
          void ticket.then((end) => end())
          ticket = null
        }
        entry.snapshot = snapshot
        this.persist(entry, snapshot)
        this.onChange(entry)
      },
    })
    entry.session = session
    void session.start()
  }

  /** Saves what a reload needs, when it changes. */
  private persist(entry: BatchEntry, snapshot: SessionSnapshot): void {
    const { stored } = entry
    if (entry.removed || snapshot.phase === 'cancelled') return
    const next = {
      movieId: snapshot.movie?.id ?? stored.movieId,
      backend: snapshot.backend,
      engine: snapshot.fallback ? ('ffmpeg.wasm' as const) : null,
      state: stateOf(snapshot),
    }
    if (
      next.movieId === stored.movieId &&
      next.backend === stored.backend &&
      next.engine === stored.engine &&
      next.state === stored.state
    ) {
      return
    }
    Object.assign(stored, next)
    // A published movie needs nothing kept; its row stays on the page.
    if (next.state === 'done') void removeUpload(stored)
    else void saveUpload(stored)
  }
}
