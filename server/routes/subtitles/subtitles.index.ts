/** The subtitle routes, mounted under /api/movies beside the catalog and upload routes. @module */
import { createRouter } from '../../lib/router.ts'
import * as handlers from './subtitles.handlers.ts'
import * as routes from './subtitles.routes.ts'

export const subtitlesRouter = () =>
  createRouter()
    .openapi(routes.add, handlers.add)
    .openapi(routes.replace, handlers.replace)
    .openapi(routes.remove, handlers.remove)
