/** Any account's tokens and sessions, for admins; mounted under /api/users beside the accounts. @module */
import { createRouter } from '../../lib/router.ts'
import * as handlers from './credentials.handlers.ts'
import * as routes from './credentials.routes.ts'

export const credentialsRouter = () =>
  createRouter()
    .openapi(routes.listTokens, handlers.listTokens)
    .openapi(routes.revokeToken, handlers.revokeToken)
    .openapi(routes.listSessions, handlers.listSessions)
    .openapi(routes.endSession, handlers.endSession)
    .openapi(routes.endAllSessions, handlers.endAllSessions)
