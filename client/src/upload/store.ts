/**
 * @module What survives a reload or a closed tab: the upload queue in IndexedDB (each file's plan,
 * the movie's fields, the draft movie on the server, which encoder made its stored parts), and a
 * way back to each source file: the File System Access handle the drop gave (asking the person's
 * permission again after a reload), or else a copy in the origin-private file system (OPFS) when
 * there is room for it. When neither is possible the page asks for the file again, naming it.
 */
import type { LadderPlan } from '../encode/types.ts'
import type { MovieFields } from './session.ts'

/** Where the source file can be found again after a reload. */
export type Kept = 'handle' | 'opfs' | null

export type StoredState = 'queued' | 'running' | 'failed' | 'done'

export interface StoredUpload {
  key: string
  /** Queue order. */
  order: number
  fileName: string
  size: number
  lastModified: number
  kept: Kept
  handle: FileSystemFileHandle | null
  /** Subtitle files dropped with the video: small, kept whole. */
  sidecars: File[]
  plan: LadderPlan
  fields: MovieFields
  /** The draft movie on the server, once created. */
  movieId: string | null
  /** The encoder that made the parts already stored ("webcodecs", "ffmpeg.wasm"). */
  backend: string | null
  /** 'ffmpeg.wasm' after the browser's encoder failed on this file. */
  engine: 'ffmpeg.wasm' | null
  state: StoredState
}

const DB_NAME = 'adh-uploads'
const STORE = 'uploads'
const OPFS_DIR = 'uploads'

let opened: Promise<IDBDatabase> | null = null

function db(): Promise<IDBDatabase> {
  opened ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1)
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'key' })
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
  return opened
}

async function transact<T>(
  mode: IDBTransactionMode,
  run: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  const store = (await db()).transaction(STORE, mode).objectStore(STORE)
  return new Promise((resolve, reject) => {
    const request = run(store)
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
}

/** Every upload not yet cleared, in queue order; an empty list where IndexedDB is unavailable. */
export async function listUploads(): Promise<StoredUpload[]> {
  try {
    const all = await transact<StoredUpload[]>('readonly', (s) => s.getAll())
    return all.sort((a, b) => a.order - b.order)
  } catch {
    return []
  }
}

/** Saves (or replaces) an entry; a storage failure only costs the ability to resume. */
export async function saveUpload(entry: StoredUpload): Promise<void> {
  await transact('readwrite', (s) => s.put(entry)).catch((error: unknown) => {
    console.warn('The upload queue could not be saved', error)
  })
}

/** Forgets an entry and deletes its OPFS copy. */
export async function removeUpload(entry: Pick<StoredUpload, 'key' | 'kept'>): Promise<void> {
  await transact('readwrite', (s) => s.delete(entry.key)).catch(() => undefined)
  if (entry.kept === 'opfs') {
    await opfsDir()
      .then((dir) => dir?.removeEntry(entry.key))
      .catch(() => undefined)
  }
}

async function opfsDir(): Promise<FileSystemDirectoryHandle | null> {
  if (!navigator.storage?.getDirectory) return null
  const root = await navigator.storage.getDirectory()
  return root.getDirectoryHandle(OPFS_DIR, { create: true })
}

/**
 * Makes sure the source can be found again after a reload: keeps the handle the drop gave, or
 * copies the file into OPFS when the browser has room for it (the copy is deleted once the movie is
 * published); resolves with how it is kept, null when it is not.
 */
export async function keepSource(
  key: string,
  file: File,
  handle: FileSystemFileHandle | null,
): Promise<{ kept: Kept; handle: FileSystemFileHandle | null }> {
  if (handle) return { kept: 'handle', handle }
  try {
    const dir = await opfsDir()
    const estimate = await navigator.storage.estimate()
    const free = (estimate.quota ?? 0) - (estimate.usage ?? 0)
    // Room for the copy and then some: the encoded parts of other sites must still fit.
    if (!dir || free < file.size * 2) return { kept: null, handle: null }
    const copy = await dir.getFileHandle(key, { create: true })
    const writable = await copy.createWritable()
    await file.stream().pipeTo(writable)
    return { kept: 'opfs', handle: copy }
  } catch (error) {
    console.warn('The source could not be kept for resuming', error)
    await opfsDir()
      .then((dir) => dir?.removeEntry(key))
      .catch(() => undefined)
    return { kept: null, handle: null }
  }
}

interface PermissionHandle {
  queryPermission?(options: { mode: 'read' }): Promise<PermissionState>
  requestPermission?(options: { mode: 'read' }): Promise<PermissionState>
}

/**
 * The source file of an entry again, or null when the page must ask for it. A dropped file's handle
 * needs the person's permission after a reload: call this from a click.
 */
export async function sourceFile(entry: StoredUpload): Promise<File | null> {
  const handle = entry.handle
  if (!handle) return null
  try {
    if (entry.kept === 'handle') {
      const h = handle as FileSystemFileHandle & PermissionHandle
      let state = (await h.queryPermission?.({ mode: 'read' })) ?? 'granted'
      if (state === 'prompt') state = (await h.requestPermission?.({ mode: 'read' })) ?? 'denied'
      if (state !== 'granted') return null
    }
    const file = await handle.getFile()
    if (file.size !== entry.size) return null
    // An OPFS copy is named by the entry's key; the movie keeps the person's file name.
    return entry.kept === 'opfs' ? new File([file], entry.fileName, { type: file.type }) : file
  } catch {
    return null
  }
}

/** Whether a file chosen again is the one an entry needs. */
export function sameFile(entry: Pick<StoredUpload, 'fileName' | 'size'>, file: File): boolean {
  return file.name === entry.fileName && file.size === entry.size
}

/** A random key for a new entry. */
export function newKey(): string {
  return crypto.randomUUID()
}
