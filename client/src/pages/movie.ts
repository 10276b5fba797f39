/**
 * The movie page: the player, then name, status, facts and description. Drafts and failed
 * movies (visible to their owner and admins) say why there is nothing to play. For a signed-in
 * viewer: My list, Watched, "Resume from …", and for an episode its series, Previous/Next and the
 * countdown to the next one (viewer/movie-extras.ts).
 * @module
 */

import { languageName } from '../../../server/lib/languages.ts'
import { ApiError, api, call, errorMessage, type Movie, type User } from '../api.ts'
import { createPlayer, loadDash } from '../player/player.ts'
import { retryButton, stateBlock } from '../ui/blocks.ts'
import { h, mount } from '../ui/dom.ts'
import { formatBitrate, formatDate, formatDuration, renditionLabel } from '../ui/format.ts'
import { icon } from '../ui/icons.ts'
import { movieCard } from '../ui/movie-card.ts'
import { placeholder, posterSrc } from '../ui/poster.ts'
import { currentUser, initShell, signInHref } from '../ui/shell.ts'
import { linkAt, startTime } from '../ui/start-time.ts'
import { toast } from '../ui/toast.ts'
import { decorateMovieCard } from '../viewer/cards.ts'
import {
  backTarget,
  episodeEyebrow,
  episodeNav,
  movieActions,
  takePlayFlag,
  warmPreferences,
  watchOptions,
} from '../viewer/movie-extras.ts'
import { needsSignIn, sendToSignIn } from '../viewer/sign-in-gate.ts'
import { subtitleEditor } from './movie-subtitles.ts'

const main = initShell('movie', { mainClass: 'movie-main' })
const id = decodeURIComponent(location.pathname.split('/')[2] ?? '')

function back(movie: Movie | null = null) {
  const to = backTarget(movie)
  return h('a', { class: 'back-link', href: to.href }, icon('back'), to.label)
}

function loading() {
  mount(
    main,
    back(),
    h(
      'div',
      { class: 'movie-layout', 'aria-busy': 'true' },
      h('div', { class: 'player-skeleton skeleton', 'aria-hidden': 'true' }),
      h(
        'div',
        { class: 'movie-info' },
        h('div', { class: 'skeleton', style: 'height: 32px; width: 60%' }),
        h('div', { class: 'skeleton', style: 'height: 16px; width: 35%' }),
      ),
    ),
  )
}

function notFound(user: User | null) {
  document.title = 'Movie not found · anime-die-heart'
  mount(
    main,
    back(),
    stateBlock({
      icon: 'film',
      title: 'Movie not found',
      headingLevel: 1,
      text: user
        ? 'It may have been deleted, or it belongs to someone else and is not published yet.'
        : 'It may have been deleted or not be published yet. If it is yours, sign in to see it.',
      actions: [
        h('a', { class: 'btn btn-primary', href: '/' }, 'Browse the catalog'),
        user ? null : h('a', { class: 'btn', href: signInHref() }, 'Sign in'),
      ],
    }),
  )
}

function failedToLoad(err: unknown) {
  mount(
    main,
    back(),
    stateBlock({
      icon: 'alert',
      title: 'The movie could not be loaded',
      headingLevel: 1,
      text: errorMessage(err),
      error: true,
      actions: [retryButton(() => void show())],
    }),
  )
}

function posterFor(movie: Movie) {
  const src = posterSrc(movie)
  return src ? h('img', { src, alt: '', decoding: 'async', fetchpriority: 'high' }) : placeholder(movie)
}

/** Where a player would be, for movies that cannot play (draft, failed). */
function unplayable(movie: Movie) {
  const failed = movie.status === 'failed'
  return h(
    'div',
    { class: 'player', 'data-state': 'unavailable' },
    h('div', { class: 'player-poster' }, posterFor(movie)),
    h(
      'div',
      { class: 'player-error' },
      h(
        'div',
        { class: 'player-error-box' },
        icon(failed ? 'alert' : 'upload'),
        h('h2', null, failed ? 'Publishing failed' : 'Not published yet'),
        h(
          'p',
          null,
          failed
            ? 'The uploaded files did not make a playable movie. Upload it again.'
            : 'This movie is a draft: its files are still being uploaded, or it has not been published. Only you and admins can see it.',
        ),
      ),
    ),
  )
}

function details(movie: Movie, user: User | null) {
  const videos = movie.renditions.filter((r) => r.kind === 'video').sort((a, b) => b.bandwidth - a.bandwidth)
  const canEdit = user && (user.role === 'admin' || user.id === movie.owner?.id)
  return h(
    'section',
    { class: 'movie-info', 'aria-labelledby': 'movie-title' },
    episodeEyebrow(movie),
    h(
      'div',
      { class: 'movie-title-row' },
      h('h1', { id: 'movie-title' }, movie.name),
      movie.status === 'draft' ? h('span', { class: 'badge badge-draft' }, 'Draft') : null,
      movie.status === 'failed' ? h('span', { class: 'badge badge-failed' }, 'Failed') : null,
      movie.active ? null : h('span', { class: 'badge badge-inactive' }, 'Inactive'),
    ),
    h(
      'div',
      { class: 'movie-meta' },
      movie.duration ? h('span', null, formatDuration(movie.duration)) : null,
      h(
        'span',
        null,
        movie.publishedAt
          ? `Published ${formatDate(movie.publishedAt)}`
          : `Created ${formatDate(movie.createdAt)}`,
      ),
      movie.owner ? h('span', null, `by ${movie.owner.username}`) : null,
      canEdit
        ? h('span', null, h('a', { href: `/admin/movies?edit=${encodeURIComponent(movie.id)}` }, 'Edit'))
        : null,
    ),
    movieActions(movie, user),
    movie.description ? h('p', { class: 'movie-description' }, movie.description) : null,
    episodeNav(movie),
    trackFacts(movie),
    videos.length
      ? h(
          'ul',
          { class: 'rendition-list', 'aria-label': 'Available qualities' },
          videos.map((r) => h('li', null, `${renditionLabel(r)} · ${formatBitrate(r.bandwidth)}`)),
        )
      : null,
    movie.manifestUrl
      ? h(
          'p',
          { class: 'shortcuts' },
          'Keys: ',
          h('kbd', null, 'Space'),
          ' play/pause · ',
          h('kbd', null, '←'),
          h('kbd', null, '→'),
          ' 5 s · ',
          h('kbd', null, '↑'),
          h('kbd', null, '↓'),
          ' volume · ',
          h('kbd', null, 'F'),
          ' full screen · ',
          h('kbd', null, 'M'),
          ' mute · ',
          h('kbd', null, 'I'),
          ' stats',
          movie.subtitles.length ? [' · ', h('kbd', null, 'C'), ' subtitles'] : null,
          movie.audioLanguages.length > 1 ? [' · ', h('kbd', null, 'A'), ' audio language'] : null,
        )
      : null,
  )
}

/** "Copy link at current time": the page's URL with `?t=` at the second being watched. */
function shareRow(video: HTMLVideoElement) {
  const copy = async () => {
    const link = linkAt(location.href, video.currentTime)
    try {
      await navigator.clipboard.writeText(link)
      toast(`Link copied${video.currentTime >= 1 ? ` at ${formatDuration(video.currentTime)}` : ''}`)
    } catch {
      window.prompt('Copy this link', link)
    }
  }
  return h(
    'div',
    { class: 'share-row' },
    h(
      'button',
      { type: 'button', class: 'btn', 'data-action': 'copy-time-link', onclick: () => void copy() },
      icon('copy'),
      'Copy link at current time',
    ),
  )
}

/** For the uploader: the URLs other players take (DASH, HLS for VLC, Apple devices and TVs) and the embed code. */
function otherPlayers(movie: Movie) {
  const abs = (path: string) => new URL(path, location.origin).href
  const embed = `<iframe src="${abs(`/embed/${movie.id}`)}" width="640" height="360" allow="autoplay; fullscreen; picture-in-picture" allowfullscreen></iframe>`
  const row = (label: string, value: string, name: string) =>
    h(
      'div',
      { class: 'url-row' },
      h('label', { for: `url-${name}` }, label),
      h('input', {
        id: `url-${name}`,
        type: 'text',
        readonly: true,
        value,
        'data-url': name,
        onfocus: (e: Event) => (e.target as HTMLInputElement).select(),
      }),
      h(
        'button',
        {
          type: 'button',
          class: 'btn btn-small',
          'aria-label': `Copy ${label}`,
          onclick: () =>
            void navigator.clipboard.writeText(value).then(
              () => toast(`${label} copied`),
              () => {},
            ),
        },
        icon('copy'),
      ),
    )
  return h(
    'section',
    { class: 'other-players', 'aria-labelledby': 'other-players-title' },
    h('h2', { id: 'other-players-title' }, 'Watch in other players'),
    h(
      'p',
      { class: 'hint' },
      'Only you and admins see this. Published, active movies play from these URLs in any player; VLC, Apple devices and TVs take the HLS one.',
    ),
    row('DASH manifest', abs(movie.manifestUrl!), 'dash'),
    movie.hlsUrl
      ? row('HLS playlist', abs(movie.hlsUrl), 'hls')
      : h('p', { class: 'hint' }, "No HLS: this movie's segments are not fragmented MP4."),
    row('Embed code', embed, 'embed'),
  )
}

/** "Audio: Japanese, English · Subtitles: English, Spanish". */
function trackFacts(movie: Movie) {
  const names = (tags: string[]) => tags.map((t) => languageName(t)).join(', ')
  const audio = movie.audioLanguages.length ? `Audio: ${names(movie.audioLanguages)}` : null
  const subtitles = movie.subtitleLanguages.length ? `Subtitles: ${names(movie.subtitleLanguages)}` : null
  if (!audio && !subtitles) return null
  return h('p', { class: 'movie-languages' }, [audio, subtitles].filter(Boolean).join(' · '))
}

async function show(): Promise<void> {
  loading()
  const userPromise = currentUser()
  let movie: Movie
  try {
    movie = await call(api.movies[':id'].$get({ param: { id } }))
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 422)) notFound(await userPromise)
    else if (needsSignIn(err)) sendToSignIn(main)
    else failedToLoad(err)
    return
  }
  const user = await userPromise
  document.title = `${movie.name} · anime-die-heart`
  warmPreferences(movie, user)
  const params = new URLSearchParams(location.search)
  const player = movie.manifestUrl
    ? createPlayer(
        {
          manifestUrl: movie.manifestUrl,
          hlsUrl: movie.hlsUrl,
          mode: params.get('player'),
          title: movie.name,
          poster: posterFor(movie),
        },
        { ...watchOptions(movie, user, autoplay), startAt: startTime(params) },
      )
    : null
  const stage = player ? player.root : unplayable(movie)
  const canEdit = user && (user.role === 'admin' || user.id === movie.owner?.id)
  mount(
    main,
    back(movie),
    h(
      'div',
      { class: 'movie-layout' },
      stage,
      details(movie, user),
      player ? shareRow(player.root.querySelector('video')!) : null,
      canEdit && movie.manifestUrl ? otherPlayers(movie) : null,
      canEdit ? subtitleEditor(movie) : null,
    ),
  )
  void moreToWatch(movie)
}

/** Other published movies under this one; the page is complete without them, so failures stay quiet. */
async function moreToWatch(current: Movie): Promise<void> {
  try {
    const page = await call(api.movies.$get({ query: { limit: 9, status: 'ready', active: 'true' } }))
    const others = page.items.filter((m) => m.id !== current.id).slice(0, 8)
    if (!others.length) return
    main.append(
      h(
        'section',
        { class: 'more-to-watch', 'aria-labelledby': 'more-title' },
        h('h2', { id: 'more-title' }, 'More to watch'),
        h(
          'ul',
          { class: 'grid' },
          others.map((m) => decorateMovieCard(movieCard(m, { showOwner: false }), m)),
        ),
      ),
    )
  } catch {
    // Only a suggestion list: the movie itself is on the page.
  }
}

// dash.js starts downloading while the movie's JSON is on its way.
void loadDash()
const autoplay = takePlayFlag()
await show()
