/** The upload protocol, mounted under /api/movies beside the catalog routes. @module */
import { createRouter } from '../../lib/router.ts'
import * as handlers from './files.handlers.ts'
import * as routes from './files.routes.ts'

export const filesRouter = () => {
  const router = createRouter().openapi(routes.list, handlers.list).openapi(routes.publish, handlers.publish)
  router.put('/:id/files/*', handlers.put)
  router.delete('/:id/files/*', handlers.remove)
  router.openAPIRegistry.registerPath(routes.putDoc)
  router.openAPIRegistry.registerPath(routes.deleteDoc)
  return router
}
