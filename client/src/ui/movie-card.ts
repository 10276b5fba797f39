/** The poster card of a movie, as the catalog grid and the movie page's "More to watch" show it. @module */
import type { MovieSummary } from '../api.ts'
import { h } from './dom.ts'
import { formatAgo, formatDuration, spokenDuration } from './format.ts'
import { icon } from './icons.ts'
import { posterImage } from './poster.ts'

/** Draft / Failed / Inactive marks; only signed-in owners and admins ever get such movies. */
export function statusBadges(movie: MovieSummary): HTMLElement[] {
  const out: HTMLElement[] = []
  if (movie.status === 'draft') out.push(h('span', { class: 'badge badge-draft' }, 'Draft'))
  if (movie.status === 'failed') out.push(h('span', { class: 'badge badge-failed' }, 'Failed'))
  if (!movie.active) out.push(h('span', { class: 'badge badge-inactive' }, 'Inactive'))
  return out
}

/** "JA · EN  CC EN ES": the audio languages, then the subtitles', when there is more than one language. */
function languages(movie: MovieSummary): HTMLElement | null {
  const code = (tag: string) => tag.split('-')[0]!.toUpperCase()
  const { audioLanguages: audio, subtitleLanguages: subtitles } = movie
  if (audio.length < 2 && subtitles.length === 0) return null
  return h(
    'p',
    {
      class: 'card-languages',
      title: [
        audio.length ? `Audio: ${audio.join(', ')}` : null,
        subtitles.length ? `Subtitles: ${subtitles.join(', ')}` : null,
      ]
        .filter(Boolean)
        .join(' · '),
    },
    audio.length ? h('span', null, audio.map(code).join(' · ')) : null,
    subtitles.length ? h('span', { class: 'cc' }, `CC ${subtitles.map(code).join(' ')}`) : null,
  )
}

export function movieCard(movie: MovieSummary, opts: { showOwner: boolean }): HTMLLIElement {
  const marks = statusBadges(movie)
  const meta = [
    opts.showOwner && movie.owner ? movie.owner.username : null,
    formatAgo(movie.publishedAt ?? movie.createdAt),
  ].filter(Boolean)
  const hidden = marks.length ? ` (${marks.map((m) => m.textContent).join(', ')})` : ''
  const height = movie.maxHeight ?? 0
  return h(
    'li',
    { 'data-movie-id': movie.id },
    h(
      'a',
      {
        class: 'card',
        href: `/movies/${encodeURIComponent(movie.id)}`,
        'aria-label': `${movie.name}${movie.duration ? `, ${spokenDuration(movie.duration)}` : ''}${hidden}`,
      },
      h(
        'div',
        { class: 'thumb' },
        posterImage(movie),
        movie.status === 'ready' ? h('div', { class: 'thumb-play' }, icon('play')) : null,
        marks.length ? h('div', { class: 'thumb-badges' }, marks) : null,
        height >= 720
          ? h('span', { class: 'thumb-quality', title: `Up to ${height}p` }, height >= 2160 ? '4K' : 'HD')
          : null,
        movie.duration ? h('span', { class: 'thumb-duration' }, formatDuration(movie.duration)) : null,
      ),
      h(
        'div',
        { class: 'card-body' },
        h('h2', { class: 'card-title' }, movie.name),
        h('p', { class: 'card-meta' }, meta.join(' · ')),
        languages(movie),
      ),
    ),
  )
}
