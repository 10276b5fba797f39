/** Admin: one's own account: the password, and playback preferences (playback.ts). @module */
import { ApiError, api, call, errorMessage, type User } from '../../api.ts'
import { h, mount } from '../../ui/dom.ts'
import { toast } from '../../ui/toast.ts'
import { playbackPanel } from './playback.ts'

export async function renderAccount(body: HTMLElement, user: User): Promise<void> {
  const current = h('input', {
    type: 'password',
    id: 'current-password',
    autocomplete: 'current-password',
    required: true,
  })
  const next = h('input', {
    type: 'password',
    id: 'new-password',
    autocomplete: 'new-password',
    minlength: 8,
    required: true,
  })
  const again = h('input', {
    type: 'password',
    id: 'repeat-password',
    autocomplete: 'new-password',
    required: true,
  })
  const error = h('div', { class: 'notice notice-error', role: 'alert', hidden: true })
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Change password')
  mount(
    body,
    h(
      'form',
      {
        class: 'panel panel-pad form-grid account-panel',
        onsubmit: async (e: SubmitEvent) => {
          e.preventDefault()
          error.hidden = true
          if (next.value !== again.value) {
            error.textContent = 'The two new passwords differ.'
            error.hidden = false
            again.focus()
            return
          }
          submit.disabled = true
          try {
            await call(
              api.auth.password.$post({ json: { currentPassword: current.value, newPassword: next.value } }),
            )
            for (const i of [current, next, again]) i.value = ''
            toast('Password changed.', 'ok')
          } catch (err) {
            error.textContent =
              err instanceof ApiError && err.status === 401
                ? 'The current password is not right.'
                : errorMessage(err)
            error.hidden = false
          } finally {
            submit.disabled = false
          }
        },
      },
      h('h2', null, `Password for ${user.username}`),
      error,
      h('input', {
        type: 'text',
        autocomplete: 'username',
        value: user.username,
        hidden: true,
        readonly: true,
      }),
      h('div', { class: 'field' }, h('label', { for: 'current-password' }, 'Current password'), current),
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'new-password' }, 'New password'),
        next,
        h('span', { class: 'hint' }, 'At least 8 characters.'),
      ),
      h('div', { class: 'field' }, h('label', { for: 'repeat-password' }, 'Repeat the new password'), again),
      h('div', null, submit),
    ),
    playbackPanel(),
  )
}
