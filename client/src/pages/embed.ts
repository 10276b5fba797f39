/**
 * `/embed/:id`: the player alone, filling its frame, for other sites' iframes (oEmbed hands them
 * one). Only published, active movies play here: a draft or hidden movie says it is not available,
 * even to its owner, because an embed is for the public. `?t=` starts at that second.
 * @module
 */
import '../ui/styles.css'
import './embed.css'
import { api, call, type Movie } from '../api.ts'
import { createPlayer, loadDash } from '../player/player.ts'
import { h, mount } from '../ui/dom.ts'
import { icon } from '../ui/icons.ts'
import { placeholder, posterSrc } from '../ui/poster.ts'
import { startTime } from '../ui/start-time.ts'

const main = document.getElementById('app') as HTMLElement
const id = decodeURIComponent(location.pathname.split('/')[2] ?? '')
const params = new URLSearchParams(location.search)

function unavailable() {
  document.title = 'Not available · anime-die-heart'
  mount(
    main,
    h(
      'div',
      { class: 'embed-unavailable', role: 'status' },
      icon('film'),
      h('p', null, 'This video is not available.'),
    ),
  )
}

async function show() {
  let movie: Movie
  try {
    movie = await call(api.movies[':id'].$get({ param: { id } }))
  } catch {
    unavailable()
    return
  }
  if (movie.status !== 'ready' || !movie.active || !movie.manifestUrl) {
    unavailable()
    return
  }
  document.title = `${movie.name} · anime-die-heart`
  const src = posterSrc(movie)
  const player = createPlayer(
    {
      manifestUrl: movie.manifestUrl,
      hlsUrl: movie.hlsUrl,
      mode: params.get('player'),
      title: movie.name,
      poster: src ? h('img', { src, alt: '', decoding: 'async' }) : placeholder(movie),
    },
    { startAt: startTime(params) },
  )
  const link = h(
    'a',
    {
      class: 'embed-title',
      href: `/movies/${encodeURIComponent(movie.id)}`,
      target: '_blank',
      rel: 'noopener',
    },
    movie.name,
  )
  mount(main, player.root, link)
}

void loadDash()
await show()
