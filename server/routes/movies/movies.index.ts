/** The /api/movies router. @module */
import { createRouter } from '../../lib/router.ts'
import * as handlers from './movies.handlers.ts'
import * as routes from './movies.routes.ts'

export const moviesRouter = () =>
  createRouter()
    .openapi(routes.list, handlers.list)
    .openapi(routes.get, handlers.get)
    .openapi(routes.create, handlers.create)
    .openapi(routes.update, handlers.update)
    .openapi(routes.remove, handlers.remove)
