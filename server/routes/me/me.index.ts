/** The /api/me router: the caller's own watch list, progress and preferences. @module */
import { createRouter } from '../../lib/router.ts'
import * as handlers from './me.handlers.ts'
import * as routes from './me.routes.ts'

export const meRouter = () =>
  createRouter()
    .openapi(routes.watchlist, handlers.watchlist)
    .openapi(routes.addToWatchlist, handlers.addToWatchlist)
    .openapi(routes.removeFromWatchlist, handlers.removeFromWatchlist)
    .openapi(routes.listProgress, handlers.listProgress)
    .openapi(routes.clearProgress, handlers.clearProgress)
    .openapi(routes.continueWatching, handlers.continueWatching)
    .openapi(routes.getProgress, handlers.getProgress)
    .openapi(routes.saveProgress, handlers.saveProgress)
    .openapi(routes.deleteProgress, handlers.deleteProgress)
    .openapi(routes.markWatched, handlers.markWatched)
    .openapi(routes.markUnwatched, handlers.markUnwatched)
    .openapi(routes.getPreferences, handlers.getPreferences)
    .openapi(routes.updatePreferences, handlers.updatePreferences)
