/**
 * Modal dialogs on the native `<dialog>` element: focus is trapped and restored, Escape cancels.
 * @module
 */
import { type Child, h } from './dom.ts'

export interface ConfirmOptions {
  title: string
  body?: Child
  confirmLabel?: string
  danger?: boolean
}

/** Asks a yes/no question; resolves true when confirmed. */
export function confirmDialog(opts: ConfirmOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const titleId = `dlg-${Math.random().toString(36).slice(2)}`
    const dialog = h(
      'dialog',
      { 'aria-labelledby': titleId },
      h(
        'form',
        { method: 'dialog' },
        h('div', { class: 'dialog-body' }, h('h2', { id: titleId }, opts.title), opts.body ?? null),
        h(
          'div',
          { class: 'dialog-actions' },
          h('button', { class: 'btn', value: 'cancel', autofocus: true }, 'Cancel'),
          h(
            'button',
            { class: `btn ${opts.danger ? 'btn-danger' : 'btn-primary'}`, value: 'confirm' },
            opts.confirmLabel ?? 'OK',
          ),
        ),
      ),
    )
    dialog.addEventListener('close', () => {
      resolve(dialog.returnValue === 'confirm')
      dialog.remove()
    })
    document.body.append(dialog)
    dialog.showModal()
  })
}

export interface FormDialogOptions {
  title: string
  fields: Child
  submitLabel: string
  /** Runs on submit; throw to keep the dialog open (the message is shown in it). */
  onSubmit: (form: HTMLFormElement) => Promise<void>
  danger?: boolean
}

/** A dialog holding a form; it closes only when `onSubmit` succeeds. Resolves true when it did. */
export function formDialog(opts: FormDialogOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const titleId = `dlg-${Math.random().toString(36).slice(2)}`
    const error = h('div', { class: 'notice notice-error', role: 'alert', hidden: true })
    const submit = h(
      'button',
      { class: `btn ${opts.danger ? 'btn-danger' : 'btn-primary'}`, type: 'submit' },
      opts.submitLabel,
    )
    let done = false
    const form = h(
      'form',
      {
        novalidate: false,
        onsubmit: async (e: SubmitEvent) => {
          e.preventDefault()
          submit.disabled = true
          error.hidden = true
          try {
            await opts.onSubmit(form)
            done = true
            dialog.close()
          } catch (err) {
            error.textContent = err instanceof Error ? err.message : String(err)
            error.hidden = false
          } finally {
            submit.disabled = false
          }
        },
      },
      h('div', { class: 'dialog-body' }, h('h2', { id: titleId }, opts.title), opts.fields, error),
      h(
        'div',
        { class: 'dialog-actions' },
        h('button', { class: 'btn', type: 'button', onclick: () => dialog.close() }, 'Cancel'),
        submit,
      ),
    )
    const dialog = h('dialog', { 'aria-labelledby': titleId }, form)
    dialog.addEventListener('close', () => {
      resolve(done)
      dialog.remove()
    })
    document.body.append(dialog)
    dialog.showModal()
  })
}
