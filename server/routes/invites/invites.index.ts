/** The /api/invites router (admins only). @module */
import { createRouter } from '../../lib/router.ts'
import * as handlers from './invites.handlers.ts'
import * as routes from './invites.routes.ts'

export const invitesRouter = () =>
  createRouter()
    .openapi(routes.create, handlers.create)
    .openapi(routes.list, handlers.list)
    .openapi(routes.revoke, handlers.revoke)
