/** The upload protocol, mounted under /api/movies beside the catalog routes. @module */
import { $ } from '@hono/zod-openapi'
import { createRouter } from '../../lib/router.ts'
import * as handlers from './files.handlers.ts'
import * as routes from './files.routes.ts'

export const filesRouter = () => {
  // PUT and DELETE take a raw body and a path with slashes: plain routes, documented by hand
  // (routes.putDoc), typed for the client by their handlers and their `:path{.+}` parameter.
  const router = $(
    createRouter()
      .openapi(routes.list, handlers.list)
      .openapi(routes.publish, handlers.publish)
      .put(routes.FILE_ROUTE, handlers.put)
      .delete(routes.FILE_ROUTE, handlers.remove),
  )
  router.openAPIRegistry.registerPath(routes.putDoc)
  router.openAPIRegistry.registerPath(routes.deleteDoc)
  // The handlers read the id and path from the raw URL themselves. What `:path{.+}` cannot match
  // (`…/files` and `…/files/`) reaches them here, so an empty path is a 400 that says why, not a 404.
  router.put('/:id/files/*', handlers.put)
  router.delete('/:id/files/*', handlers.remove)
  return router
}
