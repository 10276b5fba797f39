/**
 * What the movies and series tables share: the Edit / Poster / Delete buttons of a row, and the
 * poster picker behind "Poster" (any image becomes a JPEG of at most 1280×720, uploaded with a
 * toast for each step and Try again when it fails).
 * @module
 */
import { errorMessage } from '../../api.ts'
import type { RowAction } from '../../ui/blocks.ts'
import { h } from '../../ui/dom.ts'
import { failureToast, toast } from '../../ui/toast.ts'

const POSTER_MAX = { width: 1280, height: 720 }

/**
 * Any image the browser can decode becomes a JPEG no larger than 1280x720: the server accepts
 * .jpg and .webp posters, and a 12-megapixel phone photo has no business being one.
 */
export async function toPosterJpeg(file: Blob): Promise<Blob> {
  const bitmap = await createImageBitmap(file).catch(() => {
    throw new Error('That file is not an image this browser can read. Pick a JPEG, PNG or WebP.')
  })
  const scale = Math.min(1, POSTER_MAX.width / bitmap.width, POSTER_MAX.height / bitmap.height)
  const canvas = document.createElement('canvas')
  canvas.width = Math.max(1, Math.round(bitmap.width * scale))
  canvas.height = Math.max(1, Math.round(bitmap.height * scale))
  canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height)
  bitmap.close()
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      (b) => (b ? resolve(b) : reject(new Error('Could not encode the poster.'))),
      'image/jpeg',
      0.86,
    ),
  )
}

/** Edit, Poster and Delete for the row of `name`. */
export function itemActions(
  name: string,
  on: { edit: () => void; poster: () => void; remove: () => void },
): RowAction[] {
  return [
    { label: 'Edit', icon: 'edit', ariaLabel: `Edit ${name}`, onClick: on.edit },
    { label: 'Poster', icon: 'image', ariaLabel: `Replace poster of ${name}`, onClick: on.poster },
    { label: 'Delete', icon: 'trash', quiet: true, ariaLabel: `Delete ${name}`, onClick: on.remove },
  ]
}

/**
 * A hidden file input (`input`, to be mounted) and `pick(item)`, which asks for an image and hands
 * it to `upload` as a JPEG.
 */
export function posterPicker<T extends { name: string }>(upload: (item: T, jpeg: Blob) => Promise<void>) {
  const input = h('input', { type: 'file', accept: 'image/jpeg,image/png,image/webp', hidden: true })
  let target: T | null = null

  async function send(item: T, file: File) {
    toast('Uploading poster…')
    try {
      await upload(item, await toPosterJpeg(file))
      toast(`New poster for “${item.name}”.`, 'ok')
    } catch (err) {
      failureToast(
        `The poster of “${item.name}” was not replaced: ${errorMessage(err)}`,
        () => void send(item, file),
      )
    }
  }

  input.addEventListener('change', () => {
    const file = input.files?.[0]
    if (file && target) void send(target, file)
  })
  return {
    input,
    pick(item: T) {
      target = item
      input.value = ''
      input.click()
    },
  }
}
