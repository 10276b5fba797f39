/** The /api/series router. @module */
import { createRouter } from '../../lib/router.ts'
import * as handlers from './series.handlers.ts'
import * as routes from './series.routes.ts'

export const seriesRouter = () =>
  createRouter()
    .openapi(routes.list, handlers.list)
    .openapi(routes.get, handlers.get)
    .openapi(routes.create, handlers.create)
    .openapi(routes.update, handlers.update)
    .openapi(routes.remove, handlers.remove)
    .openapi(routes.putPoster, handlers.putPoster)
    .openapi(routes.deletePoster, handlers.deletePoster)
