/** The /api/auth router. @module */
import { createRouter } from '../../lib/router.ts'
import * as handlers from './auth.handlers.ts'
import * as routes from './auth.routes.ts'

export const authRouter = () =>
  createRouter()
    .openapi(routes.login, handlers.login)
    .openapi(routes.logout, handlers.logout)
    .openapi(routes.signupInfo, handlers.signupInfo)
    .openapi(routes.signup, handlers.signup)
    .openapi(routes.me, handlers.me)
    .openapi(routes.changePassword, handlers.changePassword)
    .openapi(routes.listTokens, handlers.listTokens)
    .openapi(routes.createToken, handlers.createToken)
    .openapi(routes.revokeToken, handlers.revokeToken)
